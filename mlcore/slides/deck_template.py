"""The page of a static deck: nbconvert's reveal.js template, laid out for a 1280x720 screen.

A chapter's slides hold prose, equations, code and the pictures of its panels,
and many are taller than a screen. So that every slide fits:

* the deck is 1280x720 (reveal.js scales it to other screens) with type a
  little smaller than nbconvert's, so that a title slide and its objectives
  fit as they are;
* a slide that is still taller goes on in a vertical slide below it, cut
  between two cells, once the equations are typeset (``fitSlides``: only the
  browser knows how tall a slide is); its title is repeated there, marked
  "continued" (a fragment is cut between its cells, a text between its
  paragraphs, a table between its rows, a code cell between its code and
  its output). A single paragraph or picture taller than the screen scrolls
  inside its slide, which scrolls down to a fragment that appears below the
  fold; a picture is at most 640 px tall;
* long code lines and long outputs wrap instead of being cut at the right edge.

It also leaves out the mermaid script nbconvert always loads from a CDN (the
course has no mermaid diagrams).
"""

__all__ = ["TEMPLATE", "TEMPLATE_NAME"]

TEMPLATE_NAME = "mlcore_deck.html.j2"
WIDTH, HEIGHT = 1280, 720

# `html:root` and `body .reveal` outrank the reveal theme, which loads after this.
CSS = """
html:root {
  --jp-ui-font-size1: 17px;
  --jp-content-font-size1: 17px;
  --jp-code-font-size: 14px;
  --r-heading1-size: 1.9em;
  --r-heading2-size: 1.35em;
  --r-heading3-size: 1.15em;
}
body .reveal .slides > section:not(.stack),
body .reveal .slides > section.stack > section {
  height: 100%;
  overflow-x: hidden;
  overflow-y: auto;
}
body .reveal pre,
body .reveal pre code {
  box-sizing: border-box;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}
body .reveal section img {
  max-width: 100%;
}
/* The space below a slide's last paragraph is not content: it does not make the slide scroll. */
body .reveal .slides section > :last-child,
body .reveal .slides section > :last-child > .jp-Cell:last-child,
body .reveal .slides section > :last-child .jp-RenderedMarkdown > :last-child {
  margin-bottom: 0;
  padding-bottom: 0;
}
/* A picture is never taller than the screen, so a slide cut before it fits. */
body .reveal section .jp-OutputArea-output img {
  width: auto;
  height: auto;
  max-height: 640px;
}
body .reveal p.mlcore-continued {
  margin: 0 0 0.3em 0;
  color: #767676;
  font-size: 0.8em;
}
"""

# Cuts every slide that is taller than the deck into vertical slides. A slide's
# parts are its cells and its fragments. The first part that ends below the
# screen and the parts after it move to a new slide below, which is cut again if
# it is still too tall. A fragment is cut between its cells; a part that is too
# tall on its own is cut inside: a text between its paragraphs (lists, tables,
# equations), a table between its rows, a code cell between its code and its
# output. Only a paragraph or an output taller than the screen is left to scroll.
FIT_SCRIPT = """
var CUT_MARGIN = 24;  // px

function fitSlides(Reveal) {
  var height = Reveal.getConfig().height;
  var deck = document.querySelector(".reveal .slides");
  var sections = Array.prototype.slice.call(deck.querySelectorAll("section"));
  var displays = sections.map(function (section) { return section.style.display; });
  // MathJax sizes equations in hidden slides wrongly, and reveal.js hides most slides:
  // every slide is laid out (out of sight) and its equations typeset again before it is measured.
  deck.style.visibility = "hidden";
  sections.forEach(function (section) { section.style.display = "block"; });
  void deck.offsetHeight;  // lay them out, so that the fonts they use start loading
  document.fonts.ready.then(function () { MathJax.Hub.Queue(["Rerender", MathJax.Hub, deck], measure); });

  function measure() {
    deck.querySelectorAll(":scope > section > section").forEach(function (slide) { continueBelow(slide, height); });
    sections.forEach(function (section, index) { section.style.display = displays[index]; });
    deck.style.visibility = "";
    var at = Reveal.getIndices();
    Reveal.sync();
    Reveal.slide(at.h, at.v, at.f);
    window.mlcoreSlidesFitted = true;
  }
}

function children(element, keep) {
  return Array.prototype.filter.call(element.children, keep || function () { return true; });
}

// Where `element` ends, in the slide's own pixels (the deck is scaled to the window).
function bottomOf(element, slide) {
  var box = slide.getBoundingClientRect();
  return (element.getBoundingClientRect().bottom - box.top) * slide.offsetHeight / box.height + slide.scrollTop;
}

// What lies below `height` in `part`, moved out of it into a copy of it; null if it cannot be cut.
// `leads`: the part opens the slide, so a first cell too tall to fit stays in it (it would not fit
// on the next slide either); otherwise the whole part moves on.
function cutInside(part, height, slide, leads) {
  var below = function (block) { return bottomOf(block, slide) > height; };
  if (part.classList.contains("fragment")) {
    var cells = children(part);
    var first = cells.findIndex(below);
    var moved = cells.slice(Math.max(first, 1));
    if (first === 0) {
      // Its first cell goes below the screen: cut inside it, or else it stays if the fragment leads.
      var inner = cutInside(cells[0], height, slide, leads);
      if (inner) { moved.unshift(inner); } else if (!leads) { return null; }
    }
    if (first < 0 || !moved.length) { return null; }
    var tail = part.cloneNode(false);
    moved.forEach(function (cell) { tail.appendChild(cell); });
    return tail;
  }
  if (part.tagName === "TABLE") {
    // A table is cut between its rows; the copy keeps the header.
    var rows = Array.prototype.slice.call(part.querySelectorAll(":scope > tbody > tr"));
    var row = rows.findIndex(below);
    if (row < 1) { return null; }
    var table = part.cloneNode(true);
    Array.prototype.slice.call(table.querySelectorAll(":scope > tbody > tr"), 0, row)
      .forEach(function (copied) { copied.remove(); });
    rows.slice(row).forEach(function (moved) { moved.remove(); });
    return table;
  }
  var text = part.classList.contains("jp-MarkdownCell") && part.querySelector(".jp-RenderedMarkdown");
  var holder = text || (part.classList.contains("jp-CodeCell") ? part : null);
  if (!holder) { return null; }
  var blocks = text ? children(text) : children(part, function (block) {
    return block.classList.contains("jp-Cell-inputWrapper") || block.classList.contains("jp-Cell-outputWrapper");
  });
  var cut = blocks.findIndex(below);
  if (cut === 0 && text) {
    // Its first block goes below the screen: a table is cut inside, the blocks after it follow.
    var rest = cutInside(blocks[0], height, slide, leads);
    if (!rest) { return null; }
    var cell = part.cloneNode(true);
    var into = cell.querySelector(".jp-RenderedMarkdown");
    Array.prototype.slice.call(into.children).forEach(function (block) { block.remove(); });
    into.appendChild(rest);
    blocks.slice(1).forEach(function (block) { into.appendChild(block); });
    return cell;
  }
  // All its blocks fit, but not its margin: its last block moves on.
  if (cut < 0) { cut = blocks.length - 1; }
  if (cut < 1) { return null; }
  // A deep copy keeps the cell's wrappers; each side then drops the other's blocks.
  var copy = part.cloneNode(true);
  var copied = text ? children(copy.querySelector(".jp-RenderedMarkdown")) : children(copy, function (block) {
    return block.classList.contains("jp-Cell-inputWrapper") || block.classList.contains("jp-Cell-outputWrapper");
  });
  copied.slice(0, cut).forEach(function (block) { block.remove(); });
  blocks.slice(cut).forEach(function (block) { block.remove(); });
  return copy;
}

function continueBelow(slide, height) {
  var display = slide.style.display;
  slide.style.display = "block";  // a slide made here is measured as the others are
  var parts = children(slide, function (part) { return !part.classList.contains("mlcore-continued"); });
  var rest = [];
  if (slide.scrollHeight > height + 1) {
    // Cut a little above the bottom edge, so that the paddings of what stays fit too.
    var limit = height - CUT_MARGIN;
    var cut = parts.findIndex(function (part) { return bottomOf(part, slide) > limit; });
    // A fragment is cut between its cells; a whole cell moves, unless it is the first part.
    var tail = cut >= 0 && (cut === 0 || parts[cut].classList.contains("fragment"))
      ? cutInside(parts[cut], limit, slide, cut === 0) : null;
    if (tail) {
      rest = [tail].concat(parts.slice(cut + 1));
    } else if (cut >= 0) {
      rest = parts.slice(Math.max(cut, 1));
    }
  }
  slide.style.display = display;
  if (!rest.length) { return; }
  var next = document.createElement("section");
  var title = slide.querySelector("h1, h2, h3") || slide.parentNode.querySelector("h1, h2, h3");
  if (title) {
    var note = document.createElement("p");
    note.className = "mlcore-continued";
    note.textContent = title.textContent.replace(/\\u00b6/g, "").trim() + " (continued)";
    next.appendChild(note);
  }
  rest.forEach(function (part) { next.appendChild(part); });
  slide.parentNode.insertBefore(next, slide.nextSibling);
  continueBelow(next, height);
}
"""

# nbconvert's own script, less its jQuery scroll handler (the CSS above does
# that for every slide, the first one too), plus Reveal on `window` for the
# slides test and a presenter's console, and fitSlides once every height is
# final.
SCRIPT = FIT_SCRIPT + """
require(
  {waitSeconds: 15},
  ["{{ resources.reveal.url_prefix }}/dist/reveal.js",
   "{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"],
  function (Reveal, RevealNotes) {
    window.Reveal = Reveal;
    Reveal.initialize({
      controls: true,
      progress: true,
      history: true,
      transition: "{{ resources.reveal.transition }}",
      slideNumber: "{{ resources.reveal.number }}",
      plugins: [RevealNotes],
      width: %(width)d,
      height: %(height)d,
      center: false,
    }).then(function () {
      // Heights are final once the pictures are decoded, the fonts loaded and the equations typeset.
      var loaded = new Promise(function (done) {
        if (document.readyState === "complete") { done(); } else { window.addEventListener("load", done); }
      });
      loaded.then(function () { fitSlides(Reveal); });
    });
    Reveal.on("slidechanged", function () {
      var slide = Reveal.getCurrentSlide();
      if (MathJax.Hub.getAllJax(slide)) { MathJax.Hub.Rerender(slide); }
    });
    Reveal.on("fragmentshown", function (event) {
      // Scroll the slide itself (scrollIntoView would move the whole deck).
      var slide = Reveal.getCurrentSlide();
      var box = slide.getBoundingClientRect();
      var below = event.fragment.getBoundingClientRect().bottom - box.bottom;
      if (below > 0) { slide.scrollTop += below * slide.clientHeight / box.height; }
    });
  }
);
""" % {"width": WIDTH, "height": HEIGHT}

TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style type="text/css">""" + CSS + """</style>
{%- endblock html_head_css -%}
{% block footer_js %}
<script>""" + SCRIPT + """</script>
{% endblock footer_js %}
"""
