"""Reading an export as a stream of XML events, refusing what could attack the reader.

defusedxml refuses DTDs and entity declarations, where an "XML bomb" hides, and
external references. Both readers remove each element they have read from its
parent, so a 1 GB export needs no more memory than a small one.
"""

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from comments.importing.records import ExportError


def local_name(tag):
    return tag.rsplit("}", 1)[-1]


def namespace(tag):
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def text(element):
    """Return an element's text with the stray whitespace around it removed."""
    return (element.text or "").strip() if element is not None else ""


def xml_events(stream):
    """Yield (event, element) pairs of `stream`, turning every way the file can be bad into ExportError."""
    try:
        yield from iterparse(stream, events=("start", "end"), forbid_dtd=True)
    except DefusedXmlException as refusal:
        raise ExportError(
            "The file declares a DTD, entities or external references, which an "
            f"export never needs and an XML bomb does ({refusal.__class__.__name__})."
        ) from refusal
    except ParseError as error:
        raise ExportError(f"The file is not well-formed XML: {error}.") from error
