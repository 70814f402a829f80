"""Which article languages the local engine reads, and what it says about the others."""
from __future__ import annotations

# Languages whose articles the local models have been measured on. Every model was trained
# and evaluated on English only (docs/local-models.md).
READ_LANGUAGES = frozenset({"en"})
# Names for the messages; other codes are shown as they are (ISO 639-1, from py3langid).
LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "es": "Spanish",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sv": "Swedish", "tr": "Turkish",
    "uk": "Ukrainian", "zh": "Chinese",
}


def reads_language(code: str | None) -> bool:
    """Whether the local models can read an article in this language (unknown: assume English, as they were built for)."""
    return not code or code.lower().split("-")[0] in READ_LANGUAGES


def not_read_message(code: str | None) -> str:
    code = (code or "").lower()
    name = LANGUAGE_NAMES.get(code.split("-")[0], f"language code {code!r}")
    return (
        f"This article is in {name}. The local engine's models read English only, so it shows no techniques and "
        f"no claims for it rather than English-model numbers that would mean nothing here. "
        f"To analyse articles in {name} or other languages, choose the claude engine."
    )
