"""Export a chapter as a static reveal.js deck that needs no network.

The deck is ``jupyter nbconvert --to slides`` with every script pointed at
the local copies in ``vendor/`` beside it (see :mod:`mlcore.slides.vendor`).
Cells become slides by their ``slideshow.slide_type`` metadata, the same
metadata the live jupyterlab-slideshow deck uses.

A static deck has no kernel, so a panel cannot move: it is shown as the
picture stored with it (a panel's output carries a PNG beside its widget
view). Widget state is dropped so that nbconvert picks that picture instead
of a widget view that would need the widget manager from a CDN.
"""

from pathlib import Path

from jinja2 import DictLoader
from nbconvert import SlidesExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from .vendor import install_vendor

TEMPLATE_NAME = "mlcore_deck.html.j2"
# nbconvert's reveal template always imports mermaid from a CDN; the course
# has no mermaid diagrams, so the deck leaves that script out.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


class DropWidgetState(Preprocessor):
    """Remove the stored widget state so every widget output falls back to its picture."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return nb, resources


def slides_exporter(*, execute: bool = False) -> SlidesExporter:
    """An nbconvert SlidesExporter whose deck loads its scripts from ``vendor/`` beside it.

    With ``execute`` the notebook is run first (for notebooks stored without outputs).
    """
    config = Config()
    config.SlidesExporter.reveal_url_prefix = "vendor/reveal.js"
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.require_js_url = "vendor/requirejs/require.js"
    config.SlidesExporter.jquery_url = "vendor/jquery/dist/jquery.min.js"
    config.SlidesExporter.mathjax_url = "vendor/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    # Long code cells scroll inside their slide instead of running off it.
    config.SlidesExporter.reveal_scroll = True
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    config.ExecutePreprocessor.enabled = execute
    config.ExecutePreprocessor.timeout = 600
    config.ExecutePreprocessor.store_widget_state = False
    exporter = SlidesExporter(
        config=config,
        template_file=TEMPLATE_NAME,
        extra_loaders=[DictLoader({TEMPLATE_NAME: TEMPLATE})],
    )
    exporter.register_preprocessor(DropWidgetState, enabled=True)
    return exporter


def build_deck(notebook: Path, out_dir: Path, *, execute: bool = False) -> Path:
    """Write ``out_dir/<notebook stem>.slides.html`` (and ``out_dir/vendor/``); return the deck's path."""
    notebook = Path(notebook)
    if not notebook.is_file():
        raise FileNotFoundError(f"No notebook at {notebook}; pass the path of an .ipynb file.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    install_vendor(out_dir / "vendor")
    html, _ = slides_exporter(execute=execute).from_filename(str(notebook))
    deck = out_dir / f"{notebook.stem}.slides.html"
    deck.write_text(html, encoding="utf-8")
    return deck
