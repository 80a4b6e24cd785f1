// The src of every image that did not load.
Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)
