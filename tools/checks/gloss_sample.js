// `count` of the page's glosses (runs of Chinese text, `selector`), spread evenly over the page
// from the header to the footer, each marked with data-gloss-sample="INDEX": their text and font
// weight, in that order. The DevTools protocol then finds each by its mark and asks which fonts
// drew it (an element that a script of the page replaced meanwhile has lost its mark).
([selector, count]) => {
    const glosses = Array.from(document.querySelectorAll(selector));
    const step = Math.max(1, Math.ceil(glosses.length / count));
    return glosses.filter((_, index) => index % step === 0).map((gloss, index) => {
        gloss.dataset.glossSample = String(index);
        return [gloss.textContent, Number(getComputedStyle(gloss).fontWeight)];
    });
}
