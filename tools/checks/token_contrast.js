// WCAG contrast of the text in `blocks` (CSS selectors), at least `minimum` (null: WCAG AA's
// 4.5:1, 3:1 for large text), computed once per pair of colours (colours.js); one line per failure.
([blocks, minimum]) => {
    const seen = new Map(), failures = [];
    const selector = blocks.map(block => `${block}, ${block} *`).join(", ");
    for (const element of document.querySelectorAll(selector)) {
        if (!hasText(element)) continue;
        const style = getComputedStyle(element);
        const back = background(element);
        const key = colourKey(style, back);
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
