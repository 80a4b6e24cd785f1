// The src of every image that did not load, once all were asked to (the figures load lazily, as
// a reader scrolls to them: tools/site/figures.py).
async () => {
    const images = Array.from(document.images);
    images.forEach(image => { image.loading = "eager"; });
    await Promise.all(images.map(image => image.decode().catch(() => null)));
    return images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src);
}
