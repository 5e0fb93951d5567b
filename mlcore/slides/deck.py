"""Export a chapter as a static reveal.js deck that needs no network.

The deck is ``jupyter nbconvert --to slides`` with every script pointed at
the local copies in ``vendor/`` beside it (see :mod:`mlcore.slides.vendor`).
Cells become slides by their ``slideshow.slide_type`` metadata, the same
metadata the live jupyterlab-slideshow deck uses; the page around them is
:mod:`mlcore.slides.deck_template` (every slide fits a 1280x720 screen).

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

from .deck_template import TEMPLATE, TEMPLATE_NAME
from .vendor import install_vendor

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class DropWidgetState(Preprocessor):
    """Remove the stored widget state so every widget output falls back to its picture.

    A figure's widget output (ipympl's canvas) also carries an HTML fallback: the
    same picture under the canvas's title bar ("Figure"), which nbconvert would
    prefer to the PNG. The deck shows the PNG alone.
    """

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if WIDGET_VIEW in data and "image/png" in data:
                    data.pop("text/html", None)
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
