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
});
