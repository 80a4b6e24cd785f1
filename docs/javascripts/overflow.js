// Says what a narrow screen cuts off or shrinks, so that the page can say so too
// (docs/stylesheets/extra.css shows the cues):
// - a code block, table or figure that scrolls sideways gets `data-overflowing` (and a table,
//   a place in the tab order, so that a keyboard can scroll it);
// - a figure shown smaller than its full size gets `data-shrunk` ("Tap to enlarge").
// Checked again whenever the window changes size or a figure arrives; tests/test_site.py checks
// both at 390 px.
(() => {
  const SCROLLERS = [
    ".md-typeset pre > code",
    ".md-typeset__scrollwrap",
    ".md-typeset .figure-link",
    ".jupyter-wrapper .highlight-ipynb",
  ].join(", ");

  const mark = () => {
    for (const box of document.querySelectorAll(SCROLLERS)) {
      const overflowing = box.scrollWidth > box.clientWidth + 1;
      box.toggleAttribute("data-overflowing", overflowing);
      // A keyboard scrolls only what takes the focus: a table's wrapper is no stop of its own
      // until it scrolls (code blocks and notebook cells are focusable already).
      if (box.matches(".md-typeset__scrollwrap")) {
        if (overflowing) box.tabIndex = 0;
        else box.removeAttribute("tabindex");
      }
    }
    for (const image of document.querySelectorAll(".md-typeset .figure-link img")) {
      const shown = image.getBoundingClientRect().width;
      const shrunk = image.naturalWidth > 0 && shown < image.naturalWidth - 1;
      image.parentElement.toggleAttribute("data-shrunk", shrunk);
    }
  };

  let pending = 0;
  const soon = () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(mark);
  };
  addEventListener("resize", soon);
  addEventListener("load", mark); // images have their sizes by then
  // A figure loads as the reader nears it (tools/site/figures.py: loading="lazy"), after the
  // page's load: it is measured when it arrives (a load event does not bubble; capture sees it).
  document.addEventListener("load", event => event.target.tagName === "IMG" && soon(), true);
  document.fonts.ready.then(mark); // and text its width, once the web fonts are in
  document.addEventListener("DOMContentLoaded", mark);
})();
