"""The one error root of ozbot.

    OzbotError                  anything ozbot reports to a user instead of crashing
    ├── ProjectError            a project file is wrong (domain, stories, config, actions)
    │   ├── DomainError         domain.yml: unknown slot type, missing key, ...
    │   ├── StoryError          a story file: syntax error (file and line), unknown action, ...
    │   ├── NluDataError        an NLU data file: annotation or structure (file and line)
    │   └── ActionLoadError     a custom action class that cannot be imported or built
    ├── InputError              a message that cannot be understood (/intent{json} syntax, length)
    ├── NluUnavailableError     the NLU server did not answer (down, slow, not Rasa's answer)
    ├── ActionError             an action cannot run (no implementation, it raised)
    ├── AnswerError             a trainer answer that does not fit the pending question
    ├── ModelError              no model, a corrupt model, a model for another domain
    ├── ConnectorError          a connector cannot start: token or URL missing or refused
    ├── DrawingError            Graphviz's `dot` is not installed or could not draw a graph
    └── StoreError              the tracker store failed or holds corrupt data
        ├── ConflictError       an append raced with another writer (expected length differs)
        └── StoreUnavailableError  the store cannot be reached now; the input was not processed
            └── ConversationBusyError  another turn of the conversation held its lock too long

Every message is written for the person who has to fix it: it says where and what.
"""


class OzbotError(Exception):
    """Base of every error ozbot reports instead of crashing."""


class ProjectError(OzbotError):
    """A project file (domain, stories, config, actions) is wrong."""


class DomainError(ProjectError):
    """domain.yml is wrong."""


class StoryError(ProjectError):
    """A story file is wrong."""


class NluDataError(ProjectError):
    """An NLU training data file is wrong."""


class ActionLoadError(ProjectError):
    """A custom action cannot be imported or instantiated."""


class InputError(OzbotError):
    """A user message cannot be parsed."""


class NluUnavailableError(OzbotError):
    """A remote NLU did not answer in time or as it should; the message was not processed."""


class ActionError(OzbotError):
    """An action cannot run."""


class ActionRejected(OzbotError):
    """An action refused to run here (an active form that could not fill the slot it asked
    for); another action is predicted instead (Rasa's ActionExecutionRejection)."""


class AnswerError(OzbotError):
    """A trainer answer that does not fit the pending question."""


class ModelError(OzbotError):
    """A model is missing, corrupt or trained for another domain."""


class ConnectorError(OzbotError):
    """A connector cannot start: a token or URL is missing, wrong or refused by the platform."""


class DrawingError(OzbotError):
    """Graphviz's `dot` is not installed or could not draw a graph."""


class StoreError(OzbotError):
    """The tracker store failed or holds corrupt data."""


class ConflictError(StoreError):
    """An append found the conversation longer than expected: another writer got there first."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached right now (an outage); trying again later may succeed."""


class ConversationBusyError(StoreUnavailableError):
    """The conversation's lock stayed taken for longer than the bounded wait."""
