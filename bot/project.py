"""A bot project: a folder with domain.yml, stories/, config.yml and an optional actions.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import ProjectError
from bot.yaml_reading import load_yaml


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def domain_file(self) -> Path:
        return self.root / "domain.yml"

    @property
    def stories_dir(self) -> Path:
        return self.root / "stories"

    @property
    def exported_dir(self) -> Path:
        return self.stories_dir / "exported"

    @property
    def config_file(self) -> Path:
        return self.root / "config.yml"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def store_file(self) -> Path:
        return self.root / "ozbot.db"


def open_project(root: Path) -> Project:
    """The project at `root`; fails when the folder is not a bot project."""
    project = Project(root.resolve())
    if not project.domain_file.is_file():
        raise ProjectError(
            f"{project.root} is not a bot project: it has no domain.yml "
            "(use --project to point at a folder with domain.yml, stories/ and config.yml)"
        )
    return project


def read_config(project: Project) -> dict[str, Any]:
    """config.yml as a mapping; no file means all defaults."""
    path = project.config_file
    if not path.is_file():
        return {}
    data = load_yaml(path.read_text(encoding="utf-8"), str(path), ProjectError)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a mapping of settings, e.g. `max_history: 5`")
    return data
