// Resolves after two animation frames, once docs/javascripts/overflow.js has marked overflows.
() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))
