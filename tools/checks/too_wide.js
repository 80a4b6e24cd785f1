// The longest line of every code or output block wider than its column (details opened first).
() => {
    document.querySelectorAll("details").forEach(details => { details.open = true; });
    return Array.from(document.querySelectorAll(".md-typeset .highlight pre > code"))
        .filter(code => code.scrollWidth > code.clientWidth + 1)
        .map(code => code.textContent.split("\n").reduce((a, b) => (a.length > b.length ? a : b)));
}
