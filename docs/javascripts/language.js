// The language menu in the header (mkdocs-static-i18n's links to the same page in each
// language): the current language is marked (aria-current, and extra.css shows it), and a link
// to the other language keeps the reader's place, the #anchor of the heading they are reading
// (the Chinese headings carry the English ids, tools/site/translations.py).
(() => {
  const current = document.documentElement.lang.split("-")[0]; // "en", or "zh" for zh-Hans
  for (const link of document.querySelectorAll(".md-select__link[hreflang]")) {
    if (link.hreflang.split("-")[0] === current) {
      link.setAttribute("aria-current", "true");
    }
    // Read at the click, not now: the anchor changes as the reader follows the page's links.
    link.addEventListener("click", () => {
      const url = new URL(link.href);
      url.hash = window.location.hash;
      link.href = url.href;
    });
  }
})();
