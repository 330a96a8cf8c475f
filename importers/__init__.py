"""omi-import: move recorded conversations into Omi.

The core library. Typical use::

    from importers import convert
    conversion = convert("meeting.vtt")
    for conversation in conversion.conversations:
        print(conversation.key, conversation.body.model_dump_json())
"""

from importers.adapter import Adapter, ParseOptions
from importers.errors import ImporterError
from importers.model import NormalizedTranscript, Repair, Segment, Transcript, Turn, Word
from importers.normalize import NormalizeOptions, normalize
from importers.pipeline import Conversation, Conversion, ConvertOptions, convert, parse
from importers.registry import Registry
from importers.source import Source

__version__ = "0.1.0"

__all__ = [
    "Adapter",
    "Conversation",
    "Conversion",
    "ConvertOptions",
    "ImporterError",
    "NormalizeOptions",
    "NormalizedTranscript",
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
    "normalize",
    "parse",
]
