"""omi-import: move recorded conversations into Omi.

The core library. Typical use::

    from importers import convert
    conversion = convert("meeting.vtt")
    for conversation in conversion.conversations:
        print(conversation.key, conversation.endpoint, conversation.json)
"""

from importers.adapter import Adapter, AdapterOption, ParseOptions
from importers.conversion.normalize import NormalizeOptions, normalize
from importers.conversion.options import ConvertOptions
from importers.conversion.payload import Conversation
from importers.conversion.pipeline import Conversion, Outcome, convert, convert_all, parse
from importers.errors import ImporterError
from importers.model import NormalizedTranscript, Repair, Segment, Transcript, Turn, Word
from importers.registry import Registry
from importers.source import Source

__version__ = "0.2.0"

__all__ = [
    "Adapter",
    "AdapterOption",
    "Conversation",
    "Conversion",
    "ConvertOptions",
    "ImporterError",
    "NormalizeOptions",
    "NormalizedTranscript",
    "Outcome",
    "ParseOptions",
    "Registry",
    "Repair",
    "Segment",
    "Source",
    "Transcript",
    "Turn",
    "Word",
    "__version__",
    "convert",
    "convert_all",
    "normalize",
    "parse",
]
