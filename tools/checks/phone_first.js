// Phone first: what a page shows on a phone (site_checks.py, PHONE_FIRST); one line a problem.
// [fitShare, firstScreenShare, firstColumnLines]: FIT_SHARE, OPENER_SHARE, FIRST_COLUMN_LINES.
// - at least fitShare of the page's code blocks fit the screen without scrolling sideways (GPU-only
//   blocks, which keep the code their GPU proofs were recorded with, are not counted; outputs wrap);
// - no figure wider than its column (the column is narrower than the figure's readable width);
// - no table that hides its last column, or wraps its first over more than firstColumnLines lines;
// - the opener's first line ("You will learn ...") in the top firstScreenShare of the first screen
//   (a phone's browser covers the bottom of it with its own bars).
([fitShare, firstScreenShare, firstColumnLines]) => {
    const problems = [];
    const content = document.querySelector(".md-content");
    // The opener first, as a reader's first look shows it: the stamp (a <details>) closed.
    content.querySelectorAll("details.outputs-stamp").forEach(stamp => { stamp.open = false; });
    const opener = content.querySelector(".admonition.abstract > p:not(.admonition-title)");
    if (opener) {
        const range = document.createRange();
        range.selectNodeContents(opener);
        const first = range.getClientRects()[0];
        const bottom = first.bottom + window.scrollY;
        if (bottom > firstScreenShare * window.innerHeight) {
            problems.push(`the opener's first line ends ${Math.round(bottom)} px down, past the `
                          + `top ${Math.round(firstScreenShare * 100)}% of the first screen `
                          + `(${window.innerHeight} px)`);
        }
    }
    document.querySelectorAll("details").forEach(details => { details.open = true; });
    const firstLine = element => element.textContent.trim().split("\n")[0].slice(0, 50);
    // Code blocks that a reader copies, but GPU-only ones: they keep the code that their GPU
    // proofs were recorded with (tools/pages/gpu_proofs.py). Outputs wrap: not counted.
    const counted = Array.from(content.querySelectorAll(".language-python pre > code"))
        .filter(code => {
            const badge = code.closest(".language-python").previousElementSibling;
            return !(badge && badge.matches(".skip-badge--gpu"));
        });
    const wide = counted.filter(code => code.scrollWidth > code.clientWidth + 1);
    if (counted.length && counted.length - wide.length < fitShare * counted.length) {
        problems.push(`${counted.length - wide.length} of ${counted.length} code blocks fit the `
                      + `screen (at least ${Math.round(fitShare * 100)}%); the first that does `
                      + `not: "${wide.length ? firstLine(wide[0]) : ""}"`);
    }
    for (const link of content.querySelectorAll(".figure-link")) {
        const image = link.querySelector("img");
        if (link.scrollWidth > link.clientWidth + 1) {
            const name = ((image && image.getAttribute("src")) || "").split("/").pop();
            problems.push(`figure ${name} needs ${link.scrollWidth} px, wider than its `
                          + `${link.clientWidth}-px column`);
        }
    }
    // Every table but the home page's outline (a table of contents: each title with its
    // reading time under it, in a column of its own).
    for (const table of content.querySelectorAll("table:not(:has(.outline-meta))")) {
        const column = table.closest(".md-typeset__scrollwrap") || table.parentElement;
        const right = column.getBoundingClientRect().right;
        const last = table.querySelector("tr > :last-child");
        if (last && last.getBoundingClientRect().right > right + 1) {
            problems.push(`table hides its last column ("${firstLine(last)}"): `
                          + `"${firstLine(table)}"`);
        }
        for (const cell of table.querySelectorAll("tr > :first-child")) {
            const style = getComputedStyle(cell);
            const lineHeight = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
            const text = cell.getBoundingClientRect().height - parseFloat(style.paddingTop)
                - parseFloat(style.paddingBottom);
            if (text > (firstColumnLines + 0.5) * lineHeight) {
                problems.push(`table's first column wraps over ${Math.round(text / lineHeight)} `
                              + `lines: "${firstLine(cell)}"`);
                break;
            }
        }
    }
    return problems;
}
