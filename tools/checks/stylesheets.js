// What axe-core's preloading reads of a page: its style sheets (linked ones by address, inline
// ones by their text) and whether it has media (audio, video). Pages that give the same answer
// give the same result for the rules that need it (css-orientation-lock), so the sweep preloads
// once per answer (site_checks.py, Tab.desktop).
() => {
    const sheets = Array.from(document.styleSheets, sheet =>
        sheet.href || (sheet.ownerNode ? sheet.ownerNode.textContent : ""));
    return JSON.stringify([sheets, document.querySelector("audio, video") !== null]);
}
