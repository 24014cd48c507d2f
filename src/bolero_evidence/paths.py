"""Where the project's folders are: the one module that knows.

A checkout (or a copy of one, as the build tests make) is recognised by its
``_quarto.yml`` beside ``data/datapackage.json``. Code running inside a
notebook kernel finds its project from the working directory, which the
build and nbval set to the notebook's folder, so a copy of the project reads
its own data without any environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Project", "find_project", "SEEDS_ENV"]

# The one setting a user may need: where the source documents are, when they
# are not in ../shared/seeds beside the checkout.
SEEDS_ENV = "BOLERO_SEEDS_DIR"
_CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Project:
    """The folders of one checkout.

    Attributes
    ----------
    root : Path
        The folder holding ``_quarto.yml``.
    """

    root: Path

    @property
    def data(self) -> Path:
        """Transcribed inputs: the CSV tables and their descriptor."""
        return self.root / "data"

    @property
    def analysis(self) -> Path:
        """The numbered notebooks, saved with their outputs."""
        return self.root / "analysis"

    @property
    def article(self) -> Path:
        """The evidence summary's source (Quarto manuscript article)."""
        return self.root / "index.qmd"

    @property
    def report(self) -> Path:
        """The report's other sources: styles, bibliography, fallback renderer."""
        return self.root / "report"

    @property
    def generated(self) -> Path:
        """Tables the build generates from the saved notebooks (register, discrepancies)."""
        return self.root / "report" / "generated"

    @property
    def output(self) -> Path:
        """The rendered report."""
        return self.root / "_output"

    @property
    def cache(self) -> Path:
        """The build's record of what it executed and rendered."""
        return self.root / ".build-cache"

    @property
    def seeds(self) -> Path:
        """The source documents: ``$BOLERO_SEEDS_DIR``, else ``../shared/seeds`` beside the checkout."""
        if os.environ.get(SEEDS_ENV):
            return Path(os.environ[SEEDS_ENV])
        return self.root.parent / "shared" / "seeds"

    def notebooks(self) -> list[Path]:
        """The numbered notebooks, in order."""
        return sorted(self.analysis.glob("[0-9][0-9]-*.ipynb"))


def is_project(folder: Path) -> bool:
    """Whether ``folder`` is a project's root: it holds ``_quarto.yml`` and ``data/datapackage.json``."""
    return (folder / "_quarto.yml").is_file() and (folder / "data" / "datapackage.json").is_file()


def find_project(start: Path | None = None) -> Project:
    """The project that holds ``start`` (default: the working directory).

    Falls back to the checkout this package is installed from, so that code
    run from elsewhere (a Python shell in the home folder) still finds it.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return Project(folder)
    if is_project(_CHECKOUT):
        return Project(_CHECKOUT)
    raise FileNotFoundError(f"no BOLERO-2 project (a folder with _quarto.yml and data/datapackage.json) at or above {here}")
