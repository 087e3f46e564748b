// Redaction editor: mark words to mask by selecting them in the original text.
// Progressive enhancement only: without this script the typed-phrase form does the same.
(function () {
  "use strict";
  var form = document.getElementById("phrase-form");
  if (!form) { return; }
  document.documentElement.className += " has-js";
  var phrase = form.querySelector("[name=phrase]");
  var field = form.querySelector("[name=field]");
  var start = form.querySelector("[name=start]");
  var end = form.querySelector("[name=end]");
  var note = document.getElementById("selection-note");

  function clear() { field.value = ""; start.value = ""; end.value = ""; note.textContent = ""; }

  function offsetIn(pre, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(pre);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function onSelect(event) {
    var pre = event.currentTarget;
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!pre.contains(range.startContainer) || !pre.contains(range.endContainer)) { return; }
    var from = offsetIn(pre, range.startContainer, range.startOffset);
    var to = offsetIn(pre, range.endContainer, range.endOffset);
    var text = pre.textContent.slice(from, to);
    // Trim spaces the selection caught at either end.
    while (text.length && /\s/.test(text[0])) { text = text.slice(1); from += 1; }
    while (text.length && /\s/.test(text[text.length - 1])) { text = text.slice(0, -1); to -= 1; }
    if (!text) { return; }
    phrase.value = text;
    field.value = pre.getAttribute("data-field");
    start.value = String(from);
    end.value = String(to);
    note.textContent = "Selected: \u201c" + text + "\u201d. Choose what it is, then press Add to mask it.";
    phrase.focus();
  }

  var pres = document.querySelectorAll("pre.original[data-field]");
  for (var i = 0; i < pres.length; i += 1) {
    pres[i].addEventListener("mouseup", onSelect);
    pres[i].addEventListener("keyup", onSelect);
  }
  phrase.addEventListener("input", clear);
}());
