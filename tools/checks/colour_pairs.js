// Every colour pair of the page's text outside `excluded` (CSS selectors: what axe-core is told to
// leave out), one string each: what axe-core's colour rules read of a text. To colours.js's key
// (colour, the colour behind, size, weight) it adds what else they weigh: the opacity of the text
// and its ancestors, a shadow, a background image behind it, and for a link, its underline and the
// colour of the text around it (link-in-text-block). Two texts with the same string pass or fail
// those rules together, so a page whose pairs were all checked before needs no second check.
excluded => {
    const skip = excluded.join(", ");
    const backs = new Map(), opacities = new Map(), images = new Map();
    const opacity = style => (style ? Number(style.opacity) : 1);
    const image = style => (style ? style.backgroundImage !== "none" : false);
    const pairs = new Set();
    for (const element of document.body.querySelectorAll("*")) {
        if (!hasText(element) || element.closest(skip)) continue;
        const style = getComputedStyle(element);
        let key = colourKey(style, background(element, backs));
        key += ` ${upwards(element, opacities, opacity, (a, b) => a * b)} ${style.textShadow}`;
        key += ` ${upwards(element, images, image, (a, b) => a || b)}`;
        const link = element.closest("a");
        if (link && link.parentElement) {
            const around = getComputedStyle(link.parentElement);
            key += ` link ${getComputedStyle(link).textDecorationLine} in ${around.color}`;
        }
        pairs.add(key);
    }
    return Array.from(pairs);
}
