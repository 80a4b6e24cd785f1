// The colours of a text, as token_contrast.js and colour_pairs.js read them (site_checks.py's
// `script` puts these definitions in front of each): one owner for what "a text's colours" means.
const rgba = text => { const [r, g, b, a = 1] = text.match(/[\d.]+/g).map(Number);
                       return [r, g, b, a]; };
const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3]))
                              .concat([1]);
// What an element and its ancestors make of one property: `own` of each one's style (of null
// above the root), joined from the root down by `join`; `known`, a Map, keeps each element's
// answer for its descendants and for the elements asked again.
const upwards = (element, known, own, join) => {
    if (!element) return own(null);
    if (!known.has(element)) {
        const above = upwards(element.parentElement, known, own, join);
        known.set(element, join(above, own(getComputedStyle(element))));
    }
    return known.get(element);
};
// The colour behind an element: each background laid over its parent's, over white at the top.
const background = (element, known = new Map()) => upwards(
    element, known, style => (style ? rgba(style.backgroundColor) : [255, 255, 255, 1]),
    (below, colour) => over(colour, below));
const luminance = colour => colour.slice(0, 3).map(c => c / 255)
    .map(c => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
const hasText = element => Array.from(element.childNodes)
    .some(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
// What WCAG's contrast of a text depends on: its colour, the colour behind it, its size and weight.
const colourKey = (style, back) =>
    `${style.color} on ${back.join(",")} ${style.fontSize} ${style.fontWeight}`;
