// Resolves once every figure has loaded (they load lazily, as a reader scrolls to them:
// tools/site/figures.py) and two animation frames later, once docs/javascripts/overflow.js has
// marked overflows.
async () => {
    const images = Array.from(document.images);
    images.forEach(image => { image.loading = "eager"; });
    await Promise.all(images.map(image => image.decode().catch(() => null)));
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}
