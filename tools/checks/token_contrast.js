// WCAG contrast of the text in `blocks` (CSS selectors), at least `minimum` (null: WCAG AA's
// 4.5:1, 3:1 for large text), computed once per pair of colours; one line per failure.
([blocks, minimum]) => {
    const rgba = text => { const [r, g, b, a = 1] = text.match(/[\d.]+/g).map(Number);
                           return [r, g, b, a]; };
    const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3]))
                                  .concat([1]);
    const background = element => {
        const layers = [];
        for (let at = element; at; at = at.parentElement) {
            const colour = rgba(getComputedStyle(at).backgroundColor);
            if (colour[3] > 0) layers.push(colour);
            if (colour[3] >= 1) break;
        }
        return layers.reverse().reduce((below, top) => over(top, below), [255, 255, 255, 1]);
    };
    const luminance = colour => colour.slice(0, 3).map(c => c / 255)
        .map(c => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    const seen = new Map(), failures = [];
    const hasText = element => Array.from(element.childNodes)
        .some(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    const selector = blocks.map(block => `${block}, ${block} *`).join(", ");
    for (const element of document.querySelectorAll(selector)) {
        if (!hasText(element)) continue;
        const style = getComputedStyle(element);
        const back = background(element);
        const key = style.color + " on " + back.join(",") + " " + style.fontSize + style.fontWeight;
        if (seen.has(key)) continue;
        const front = over(rgba(style.color), back);
        const [light, dark] = [luminance(front), luminance(back)].sort((a, b) => b - a);
        const ratio = (light + 0.05) / (dark + 0.05);
        const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
        const needed = minimum || (size >= 24 || (bold && size >= 18.66) ? 3 : 4.5);
        seen.set(key, ratio);
        if (ratio < needed) {
            const name = `${element.tagName.toLowerCase()}.${element.classList[0] || ""}`;
            failures.push(`text of ${name}: ${style.color} on rgb(${back.slice(0, 3)}),`
                          + ` ${ratio.toFixed(2)}:1 (needs ${needed}:1)`);
        }
    }
    return failures;
}
