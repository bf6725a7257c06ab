"""The evaluation's questions in the course variant's language: Swedish, English, lättläst.

Like course content (not the interface), the questions follow the variant the course
was read in, so someone who read the lättläst course gets the questions in plain words
whatever language the interface is in. The follow-up page (no login, no variant) uses
the interface's language (sv or en).
"""

from __future__ import annotations

from typing import Any

LANG = {"": "sv", "en": "en", "lattlast": "sv"}

EVALUATION: dict[str, dict[str, Any]] = {
    "": {
        "heading": "Vad tyckte du om kursen?",
        "intro": (
            "Svaren är anonyma. De sparas utan ditt namn och utan datum, och ingen kan se "
            "vad just du har svarat. Du kan hoppa över frågor, eller hela utvärderingen."
        ),
        "scale_hint": "1 = stämmer inte alls, 5 = stämmer helt",
        "relevance": "Kursen var relevant för mitt arbete.",
        "clarity": "Kursen var tydlig och lätt att följa.",
        "confidence": "Jag vet vad jag ska göra om jag ser eller får veta att någon utsätts.",
        "scale": {
            "1": "1 – stämmer inte alls",
            "2": "2",
            "3": "3",
            "4": "4",
            "5": "5 – stämmer helt",
        },
        "recommend": "Skulle du rekommendera kursen till en kollega?",
        "recommend_choices": {"ja": "Ja", "nej": "Nej", "vet_inte": "Vet inte"},
        "free_text": "Vill du säga något mer om kursen? (frivilligt)",
        "free_text_hint": (
            "Skriv inte namn eller annat som visar vem du eller någon annan är. Högst 2000 tecken."
        ),
        "submit": "Skicka utvärderingen",
        "skip": "Hoppa över",
        "errors": {
            "scale": "Välj ett av svaren 1–5, eller lämna frågan tom.",
            "choice": "Välj ett av svaren, eller lämna frågan tom.",
            "too_long": "Texten är för lång: högst 2000 tecken.",
        },
        "error_summary": "Utvärderingen kunde inte skickas",
    },
    "en": {
        "heading": "What did you think of the course?",
        "intro": (
            "Your answers are anonymous. They are stored without your name and without a "
            "date, and no one can see what you answered. You can skip questions, or the "
            "whole evaluation."
        ),
        "scale_hint": "1 = do not agree at all, 5 = fully agree",
        "relevance": "The course was relevant to my work.",
        "clarity": "The course was clear and easy to follow.",
        "confidence": "I know what to do if I see or hear that someone is being abused.",
        "scale": {
            "1": "1 – do not agree at all",
            "2": "2",
            "3": "3",
            "4": "4",
            "5": "5 – fully agree",
        },
        "recommend": "Would you recommend the course to a colleague?",
        "recommend_choices": {"ja": "Yes", "nej": "No", "vet_inte": "Don't know"},
        "free_text": "Anything else you want to say about the course? (optional)",
        "free_text_hint": (
            "Do not write names or anything else that shows who you or someone else is. "
            "At most 2000 characters."
        ),
        "submit": "Send the evaluation",
        "skip": "Skip",
        "errors": {
            "scale": "Choose one of the answers 1–5, or leave the question empty.",
            "choice": "Choose one of the answers, or leave the question empty.",
            "too_long": "The text is too long: at most 2000 characters.",
        },
        "error_summary": "The evaluation could not be sent",
    },
    "lattlast": {
        "heading": "Vad tyckte du om kursen?",
        "intro": (
            "Ingen får veta vad du svarar. Vi sparar inte ditt namn. "
            "Du behöver inte svara på alla frågor. Du kan också hoppa över allt."
        ),
        "scale_hint": "1 betyder nej, inte alls. 5 betyder ja, helt.",
        "relevance": "Kursen passar för mitt jobb.",
        "clarity": "Kursen var lätt att förstå.",
        "confidence": "Jag vet vad jag ska göra om någon blir illa behandlad.",
        "scale": {
            "1": "1 – nej, inte alls",
            "2": "2",
            "3": "3",
            "4": "4",
            "5": "5 – ja, helt",
        },
        "recommend": "Ska en kollega göra kursen?",
        "recommend_choices": {"ja": "Ja", "nej": "Nej", "vet_inte": "Vet inte"},
        "free_text": "Vill du skriva något mer? Du måste inte.",
        "free_text_hint": "Skriv inga namn. Du får skriva högst 2000 tecken.",
        "submit": "Skicka",
        "skip": "Hoppa över",
        "errors": {
            "scale": "Välj en siffra från 1 till 5. Eller svara inte.",
            "choice": "Välj ett svar. Eller svara inte.",
            "too_long": "Texten är för lång. Du får skriva högst 2000 tecken.",
        },
        "error_summary": "Det gick inte att skicka",
    },
}
