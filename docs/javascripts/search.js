// Search results: Material's index marks the word breaks of Chinese text with zero-width spaces
// (tools/site/search_index.py: jieba cuts it into words, the index splits there), and its
// previews would carry them into what a reader copies. They go as each result is drawn.
(() => {
  const list = document.querySelector(".md-search-result__list");
  if (!list) return;
  const clean = () => {
    const walker = document.createTreeWalker(list, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.data.includes("\u200b")) node.data = node.data.replaceAll("\u200b", "");
    }
  };
  new MutationObserver(clean).observe(list, { childList: true, subtree: true });
})();
