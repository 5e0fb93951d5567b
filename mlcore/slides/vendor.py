"""The JavaScript a reveal.js deck loads, copied next to the decks so they work offline.

nbconvert's slides load reveal.js, require.js, jQuery and MathJax from CDNs.
The decks of this course load local copies instead, taken from the npm
registry with ``npm pack`` (pinned versions; npm checks their integrity and
caches them), and only the files a deck needs are kept: about 4 MB in
``<decks>/vendor/`` rather than 30 MB of packages.
"""

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

# name@version -> files or folders of the package (under its "package/") to keep.
PACKAGES = {
    # The "white" theme is the one whose fonts ship with reveal.js (others
    # import Google Fonts); browsers take the .woff of its font list.
    "reveal.js@4.6.1": [
        "dist/reveal.js", "dist/reveal.css", "plugin/notes/notes.js", "dist/theme/white.css",
        "dist/theme/fonts/source-sans-pro/source-sans-pro.css",
        *(f"dist/theme/fonts/source-sans-pro/source-sans-pro-{style}.woff"
          for style in ("regular", "italic", "semibold", "semibolditalic")),
        "dist/theme/fonts/source-sans-pro/LICENSE", "LICENSE",
    ],
    "requirejs@2.3.8": ["require.js", "README.md"],
    "jquery@3.7.1": ["dist/jquery.min.js", "LICENSE.txt"],
    # The files MathJax 2 requests for nbconvert's configuration
    # (TeX-AMS_CHTML-full, Safe) with its CommonHTML output and web fonts.
    "mathjax@2.7.9": [
        "MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions/Safe.js",
        "extensions/MathMenu.js", "extensions/MathZoom.js", "extensions/AssistiveMML.js",
        "extensions/TeX", "jax/output/CommonHTML", "jax/input/TeX",
        "jax/element/mml", "fonts/HTML-CSS/TeX/woff", "localization/en", "LICENSE",
    ],
}

STAMP = "VERSIONS"


def _stamp_text() -> str:
    return "\n".join(sorted(PACKAGES)) + "\n"


def vendor_ready(vendor_dir: Path) -> bool:
    """True when ``vendor_dir`` already holds exactly these pinned versions."""
    stamp = vendor_dir / STAMP
    return stamp.is_file() and stamp.read_text() == _stamp_text()


def install_vendor(vendor_dir: Path) -> Path:
    """Fill ``vendor_dir`` with the pinned JavaScript (via ``npm pack``) unless it is already there."""
    if vendor_ready(vendor_dir):
        return vendor_dir
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "Building offline slides needs npm to fetch reveal.js and MathJax once "
            "(they are not on PyPI). Install Node.js (e.g. `sudo apt-get install npm`) "
            "and run `python -m mlcore.slides` again."
        )
    shutil.rmtree(vendor_dir, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="mlcore-npm-") as downloads:
        subprocess.run(
            [npm, "pack", "--prefer-offline", "--silent", "--pack-destination", downloads, *PACKAGES],
            check=True, stdout=subprocess.DEVNULL,
        )
        for spec, keep in PACKAGES.items():
            name, _, version = spec.rpartition("@")
            tarball = Path(downloads) / f"{name}-{version}.tgz"
            _extract(tarball, keep, vendor_dir / name)
    (vendor_dir / STAMP).write_text(_stamp_text())
    return vendor_dir


def _extract(tarball: Path, keep: list[str], destination: Path) -> None:
    """Copy the files of ``keep`` (paths inside the npm package) to ``destination``."""
    wanted = [f"package/{path}" for path in keep]
    found = set()
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            match = next((path for path in wanted
                          if member.name == path or member.name.startswith(path + "/")), None)
            if match is None or not member.isfile():
                continue
            found.add(match)
            target = destination / member.name.removeprefix("package/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.extractfile(member).read())
    missing = [path.removeprefix("package/") for path in wanted if path not in found]
    if missing:
        raise RuntimeError(f"{tarball.name} has no {', '.join(missing)}; "
                           "fix the file list in mlcore/slides/vendor.py for this version")
