// Render the math that pymdownx.arithmatex marks, with the KaTeX copy in assets/vendor/katex.
// Material's instant navigation swaps pages without reloading, so render on every page change.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    // arithmatex (generic mode) rewrites $...$ and $$...$$ to these delimiters
    delimiters: [
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
  });
  // Notebook pages: mkdocs-jupyter keeps the notebook's own $...$ and $$...$$ in markdown cells
  // (Jupyter renders them with MathJax, which this site does not load from a CDN).
  for (const cell of body.querySelectorAll(".jp-MarkdownOutput")) {
    renderMathInElement(cell, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
      ],
    });
  }
});
