// The colours of a text, as token_contrast.js and colour_pairs.js read them (site_checks.py's
// `script` puts these definitions in front of each): one owner for what "a text's colours" means.
const rgba = text => { const [r, g, b, a = 1] = text.match(/[\d.]+/g).map(Number);
                       return [r, g, b, a]; };
const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3]))
                              .concat([1]);
// The colour behind an element: its background laid over its parent's, up to the first opaque
// one (over white at the top); `known`, a Map, keeps the answers for the elements asked again.
const background = (element, known = new Map()) => {
    if (!element) return [255, 255, 255, 1];
    if (!known.has(element)) {
        const colour = rgba(getComputedStyle(element).backgroundColor);
        const below = colour[3] >= 1 ? null : background(element.parentElement, known);
        known.set(element, below ? over(colour, below) : colour);
    }
    return known.get(element);
};
const luminance = colour => colour.slice(0, 3).map(c => c / 255)
    .map(c => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
const hasText = element => Array.from(element.childNodes)
    .some(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
// What WCAG's contrast of a text depends on: its colour, the colour behind it, its size and weight.
const colourKey = (style, back) => `${style.color} on ${back.join(",")} ${style.fontSize} ${style.fontWeight}`;
