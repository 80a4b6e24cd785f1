// What a reader sees at the tab's width (site_checks.py, READING_SCRIPT, says what is checked);
// one line per problem. [readable, codeSize, labelGap]: READABLE_PX, CODE_PX, LABEL_GAP_PX.
async ([readable, codeSize, labelGap]) => {
    document.querySelectorAll("details").forEach(details => { details.open = true; });
    const problems = [];
    const content = document.querySelector(".md-content");
    const px = value => parseFloat(value) || 0;
    const cssAfter = (element, pseudo) => getComputedStyle(element, pseudo).content;
    const shownWidth = image => {
        const style = getComputedStyle(image);
        return image.getBoundingClientRect().width - px(style.paddingLeft) - px(style.paddingRight)
            - px(style.borderLeftWidth) - px(style.borderRightWidth);
    };
    const svgText = async (url, width) => {
        const text = await (await fetch(url)).text();
        const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
        const holder = document.createElement("div");
        holder.style.cssText = "position: absolute; left: 0; top: 0; visibility: hidden;";
        svg.setAttribute("width", width);
        svg.removeAttribute("height");
        holder.appendChild(document.importNode(svg, true));
        document.body.appendChild(holder);
        let smallest = Infinity;
        for (const glyph of holder.querySelectorAll('g[id^="text_"] use')) {
            const m = glyph.getScreenCTM();
            smallest = Math.min(smallest, 100 * Math.hypot(m.a, m.b));
        }
        for (const node of holder.querySelectorAll("text")) {
            const m = node.getScreenCTM();
            const size = px(getComputedStyle(node).fontSize);
            smallest = Math.min(smallest, size * Math.hypot(m.a, m.b));
        }
        holder.remove();
        return smallest;
    };
    for (const image of content.querySelectorAll("img")) {
        const name = (image.getAttribute("src") || "").split("/").pop().slice(0, 60);
        const shown = shownWidth(image);
        let smallest = Infinity;
        if (/[.]svg([?#]|$)/.test(image.currentSrc)) {
            smallest = await svgText(image.currentSrc, shown);
        } else if (image.dataset.textPx) {
            smallest = px(image.dataset.textPx) * shown / image.naturalWidth;
        } else {
            problems.push(`figure ${name}: no data-text-px (snippets.files.save_figure adds it)`);
        }
        if (smallest < readable) {
            problems.push(`figure ${name}: text of ${smallest.toFixed(1)} px (needs ${readable})`);
        }
        const link = image.closest(".figure-link");
        const scrolls = link && link.scrollWidth > link.clientWidth + 1;
        if ((shown < image.naturalWidth - 1 || scrolls)
            && (!link || cssAfter(link, "::after") === "none")) {
            problems.push(`figure ${name}: shown ${Math.round(shown)} of ${image.naturalWidth} px`
                          + " wide, with no cue that a tap enlarges it");
        }
    }
    const firstLine = element => element.textContent.trim().split("\n")[0].slice(0, 50);
    for (const code of content.querySelectorAll("pre > code, .highlight-ipynb")) {
        if (code.scrollWidth <= code.clientWidth + 1) continue;
        if (code.closest(".language-output, .jp-OutputArea-output")) {
            problems.push(`output scrolls sideways: "${firstLine(code)}"`);
        } else if (cssAfter(code.closest("pre, .jp-InputArea-editor"), "::after") === "none") {
            problems.push(`code scrolls sideways with no cue: "${firstLine(code)}"`);
        }
    }
    for (const wrap of content.querySelectorAll(".md-typeset__scrollwrap")) {
        if (wrap.scrollWidth > wrap.clientWidth + 1 && cssAfter(wrap, "::before") === "none") {
            problems.push(`table scrolls sideways with no cue: "${firstLine(wrap)}"`);
        }
    }
    const range = document.createRange();
    const outputs = content.querySelectorAll(
        ".language-output pre > code, .jp-OutputArea-output pre");
    for (const output of outputs) {
        const style = getComputedStyle(output);
        const width = output.clientWidth - px(style.paddingLeft) - px(style.paddingRight);
        const walker = document.createTreeWalker(output, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const word of node.textContent.matchAll(/\S{2,}/g)) {
                range.setStart(node, word.index);
                range.setEnd(node, word.index + word[0].length);
                const parts = Array.from(range.getClientRects()).filter(rect => rect.width > 0);
                const whole = parts.reduce((sum, rect) => sum + rect.width, 0);
                if (parts.length < 2 || whole > width) continue;  // one line, or longer than one
                // Where the line breaks: a break between two letters or digits cuts a word
                // ("inst|ead", "0.76|82"); one at punctuation ("grad_fn=|<Add...") does not.
                let at = 1;
                for (; at < word[0].length; at += 1) {
                    range.setEnd(node, word.index + at);
                    const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
                    if (rects.length > 1) break;
                }
                if (/\w/.test(word[0][at - 2] || "") && /\w/.test(word[0][at - 1])) {
                    const cut = `${word[0].slice(0, at - 1)}|${word[0].slice(at - 1, 40)}`;
                    problems.push(`output cuts a word in two: "${cut}"`);
                }
            }
        }
    }
    const overlaps = (a, b) => a.left < b.right && b.left < a.right
        && a.top < b.bottom && b.top < a.bottom;
    const buttons = content.querySelectorAll(
        "pre > nav .md-code__button, .zeroclipboard-container");
    for (const button of buttons) {
        const box = button.getBoundingClientRect();
        const block = button.closest("pre, .jp-InputArea-editor");
        const code = block && block.querySelector("pre > code, .highlight-ipynb pre");
        if (!box.width || !code) continue;
        const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!node.textContent.trim()) continue;
            range.selectNodeContents(node);
            if (Array.from(range.getClientRects()).some(rect => overlaps(rect, box))) {
                problems.push(`the copy button covers code: "${firstLine(code)}"`);
                break;
            }
        }
    }
    for (const code of content.querySelectorAll(".md-typeset pre > code")) {
        if (px(getComputedStyle(code).fontSize) < codeSize - 0.01) {
            problems.push(`code of ${getComputedStyle(code).fontSize}: "${firstLine(code)}"`);
        }
    }
    for (const output of content.querySelectorAll(".language-output, .jp-OutputArea-output")) {
        const label = getComputedStyle(output, "::before");
        if (label.content === "none") {
            problems.push(`an output without its label: "${firstLine(output)}"`);
            continue;
        }
        const text = output.querySelector("pre > code") || output.querySelector("pre") || output;
        const style = getComputedStyle(text);
        const lineHeight = px(style.lineHeight) || 1.2 * px(style.fontSize);
        const labelBottom = px(label.top) + (px(label.lineHeight) || 1.2 * px(label.fontSize));
        const firstText = text.getBoundingClientRect().top - output.getBoundingClientRect().top
            + px(style.paddingTop) + (lineHeight - px(style.fontSize)) / 2;
        if (firstText - labelBottom < labelGap) {
            problems.push(`the "Output" label touches "${firstLine(text)}"`);
        }
    }
    for (const link of document.querySelectorAll(".md-footer__link")) {
        const title = link.querySelector(".md-footer__title");
        if (!title || !title.getBoundingClientRect().width) {
            problems.push(`footer link "${link.getAttribute("aria-label")}" shows no title`);
        }
    }
    const codeCells = Array.from(content.querySelectorAll(".jp-CodeCell[id]"));
    const after = node => element => node.compareDocumentPosition(element) & 4;  // following
    for (const badge of content.querySelectorAll(".skip-badge")) {
        const shown = badge.getBoundingClientRect().height > 0;
        // On a chapter, the block right after; on a notebook page, the next cell, which prints
        // "Skipped: ..." where the condition holds (tools/site/notebooks.py).
        const next = badge.closest(".jupyter-wrapper")
            ? codeCells.find(after(badge)) : badge.nextElementSibling;
        const skipped = next && (next.matches(".language-python")
            || (next.matches(".jp-CodeCell") && next.textContent.includes("Skipped:")));
        if (!shown || !skipped) {
            problems.push(`badge "${badge.textContent.slice(0, 40)}" not shown before its block`);
        }
    }
    return problems;
}
