"""The page of a static deck: nbconvert's reveal.js template, laid out for a 1280x720 screen.

A chapter's slides hold prose, equations, code and the pictures of its panels,
and many are taller than a screen. So that every slide fits:

* the deck is 1280x720 (reveal.js scales it to other screens) with type a
  little smaller than nbconvert's, so that a title slide and its objectives
  fit as they are;
* a slide that is still taller scrolls inside itself instead of running off
  the bottom, and it scrolls down to a fragment that appears below the fold;
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
"""

# nbconvert's own script, less its jQuery scroll handler (the CSS above does
# that for every slide, the first one too), plus Reveal on `window` for the
# slides test and a presenter's console.
SCRIPT = """
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
