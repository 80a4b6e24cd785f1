// Switch the page to a colour scheme of Material's ("default" or "slate"), as its toggle does.
scheme => {
    document.body.setAttribute("data-md-color-scheme", scheme);
    document.body.setAttribute("data-md-color-primary", "custom");
    document.body.setAttribute("data-md-color-accent", "custom");
}
