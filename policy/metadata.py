"""What a trained model was trained on and how well: kept with the model, shown to the user."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from policy.config import PolicyConfig

FORMAT_VERSION = 2
"""Of a saved model folder; a model of another format must be retrained.

2: whole-dialogue features, sparse rows, memoization of teachings only."""


@dataclass(frozen=True)
class TrainingMetrics:
    stories: int
    conversations: int
    """Trainer-taught conversations."""
    trajectories: int
    """Distinct dialogues after joining checkpoints and expanding OR, before augmentation."""
    examples: int
    """Bot actions in those dialogues: what memoization remembers and accuracy counts."""
    augmented_examples: int
    """Bot actions in the glued dialogues LightGBM also trains on."""
    accuracy: float
    """Share of `examples` (at most 5,000, evenly spread) the trained policy predicts right,
    action_listen included."""
    seconds: float


@dataclass(frozen=True)
class ModelMetadata:
    domain_fingerprint: str
    data_fingerprint: str
    config: PolicyConfig
    metrics: TrainingMetrics
    trained_at: float

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelMetadata:
        """Raises KeyError or TypeError when fields are missing or wrong."""
        return cls(
            domain_fingerprint=str(data["domain_fingerprint"]),
            data_fingerprint=str(data["data_fingerprint"]),
            config=PolicyConfig(**data["config"]),
            metrics=TrainingMetrics(**data["metrics"]),
            trained_at=float(data["trained_at"]),
        )
