"""A bot project: ozbot's layout (domain.yml, stories/, config.yml, actions.py) or Rasa's.

A Rasa 2/3 project reads as it is: `domain.yml` or a `domain/` folder, `data/` with stories,
rules and NLU data in any file names and subfolders, `actions.py` or an `actions/` package,
`endpoints.yml`, and test stories in `tests/`. ozbot's `stories/` folder is read too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import ProjectError
from bot.yaml_reading import load_yaml

DATA_FOLDERS = ("stories", "data")
"""Where training stories, rules and NLU data are: ozbot's folder, then Rasa's."""


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def domain_file(self) -> Path:
        """domain.yml, or Rasa's domain/ folder of files when there is no domain.yml."""
        file = self.root / "domain.yml"
        folder = self.root / "domain"
        return folder if not file.is_file() and folder.is_dir() else file

    @property
    def stories_dir(self) -> Path:
        return self.root / "stories"

    @property
    def data_dirs(self) -> tuple[Path, ...]:
        """The folders of training data that exist: stories/ and Rasa's data/."""
        return tuple(p for p in (self.root / name for name in DATA_FOLDERS) if p.is_dir())

    @property
    def exported_dir(self) -> Path:
        """Where exports land: in the training data, so that the next training reads them
        (data/exported in a Rasa project without stories/)."""
        folders = self.data_dirs
        return (folders[0] if folders else self.stories_dir) / "exported"

    @property
    def tests_dir(self) -> Path:
        """Test stories (`ozbot evaluate` without --stories), as in a Rasa project."""
        return self.root / "tests"

    @property
    def config_file(self) -> Path:
        return self.root / "config.yml"

    @property
    def endpoints_file(self) -> Path:
        return self.root / "endpoints.yml"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def store_file(self) -> Path:
        return self.root / "ozbot.db"

    @property
    def log_file(self) -> Path:
        """Where a terminal session's tracebacks go."""
        return self.root / "ozbot.log"


def open_project(root: Path) -> Project:
    """The project at `root`; fails when the folder is not a bot project."""
    project = Project(root.resolve())
    if not project.domain_file.exists():
        raise ProjectError(
            f"{project.root} is not a bot project: it has no domain.yml nor domain/ folder "
            "(use --project to point at a folder with domain.yml, stories/ or data/ and "
            "config.yml)"
        )
    return project


def has_stories_folder(project: Project) -> bool:
    """Whether `stories/` is there; raises ProjectError when it is a file, not a folder."""
    folder = project.stories_dir
    if folder.exists() and not folder.is_dir():
        raise ProjectError(
            f"{folder}: is a file; ozbot reads stories and NLU data from a folder: rename it, "
            f"make a folder {folder.name}/ and move it in (e.g. as {folder.name}/stories.yml)"
        )
    return folder.is_dir()


def read_config(project: Project) -> dict[str, Any]:
    """config.yml as a mapping; no file means all defaults."""
    return _settings_file(project.config_file, "`max_history: 5`")


def read_endpoints(project: Project) -> dict[str, Any]:
    """endpoints.yml as a mapping; no file means none."""
    return _settings_file(project.endpoints_file, "`action_endpoint: {url: ...}`")


def _settings_file(path: Path, example: str) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), str(path), ProjectError)
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read the settings: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ProjectError(f"{path}: cannot read the settings: it is not UTF-8 text") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a mapping of settings, e.g. {example}")
    return data


def nothing_to_train(project: Project) -> str:
    """Why a project without stories cannot train, and where its stories go."""
    folders = " or ".join(f"{name}/" for name in DATA_FOLDERS)
    return (
        f"{project.root}: no stories in {folders}, so the bot would know nothing; write "
        "stories there (Rasa YAML or Markdown, any file name and subfolder), or teach the bot "
        "from scratch with `ozbot run` and train on what you taught"
    )
