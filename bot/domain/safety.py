"""What the bot says about safety: the start-up note, the health screen and the pain traffic light.

Kind and plain rather than alarming: most discomfort during glute work is normal muscle effort, but some
signs mean stop, and some people should check with a professional before starting.
"""

from __future__ import annotations

SAFETY_NOTE = (
    "These drills are general exercise, not medical advice. Muscle effort and a little soreness are normal; "
    "sharp or catching pain is not. Stop if something hurts and tell me with the Pain button."
)

HEALTH_SCREEN_ITEMS = (
    "Hip surgery or a hip injection in the last six months",
    "Pregnancy, or a baby born in the last three months",
    "Chest pain, a racing heart or fainting when you exercise",
    "A stress fracture in the last three months",
    "Hip or groin pain that wakes you at night",
)

HEALTH_SCREEN_ADVICE = (
    "Thanks for telling me. Please check with a doctor or physiotherapist before starting, and show them the "
    "drills: they can tell you which are right for you now. You can still continue; go gently and stop if "
    "anything hurts."
)

PAIN_ADVICE = (
    "Pain guide: 0-3 out of 10 is fine to keep training. 4-5 is acceptable only if it has settled by "
    "the next morning. Above 5 is too much: stop that drill today. Sharp or catching pain, swelling, "
    "or pain that lingers for days: see a physiotherapist or doctor."
)


def pain_advice(score: int) -> str:
    """The traffic-light band for a 0-10 score, in one or two sentences."""
    if not 0 <= score <= 10:
        raise ValueError(f"pain is scored 0-10, got {score}")
    if score <= 3:
        return f"{score}/10 is in the green zone: fine to keep training. Keep the same drill and dose."
    if score <= 5:
        return (
            f"{score}/10 is amber: acceptable only if it settles by tomorrow morning. I'll ask you then, "
            "and the programme eases off a step meanwhile."
        )
    return (
        f"{score}/10 is too much: stop this drill for today. The programme steps back. If the pain is sharp, "
        "swollen or still there in a few days, please see a physiotherapist or doctor."
    )
