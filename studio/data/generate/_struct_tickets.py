"""Fragments for invented customer-support tickets: per category, the sentences that carry the issue
and details that add colour; shared openers, closers and slot fillers. A ticket is opener + issue +
(detail) + closer, so a few hundred fragments give thousands of distinct tickets."""
from __future__ import annotations

import random


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


ISSUES: dict[str, tuple[str, ...]] = {
    "BILLING": (
        "I was charged twice for my {plan} subscription {date}.",
        "My invoice for {month} shows {amount}, but my plan costs less than that.",
        "How do I change the credit card you use for my monthly payments?",
        "Why was my card declined when I tried to pay for the {plan} plan?",
        "Can I get a copy of the receipt for my last payment?",
        "Please switch my billing from monthly to yearly.",
        "There is a charge of {amount} on my statement from you that I do not understand.",
        "Do you offer invoices that include our company tax number?",
        "The price of my {plan} plan went up {date} without any notice.",
        "I want to pay by bank transfer instead of by card.",
        "My discount code was not applied to the {plan} plan payment.",
    ),
    "SHIPPING": (
        "My order {order} still has not arrived.",
        "The tracking for order {order} has not changed for {days} days.",
        "Can I change the delivery address for order {order}?",
        "The courier says my package was delivered {date}, but it is not here.",
        "How long does shipping to {country} usually take?",
        "Do you ship to {country}?",
        "My parcel has been stuck at customs in {country} for {days} days.",
        "Order {order} arrived with only half of the boxes.",
        "Can I pick up my order at a store instead of having it delivered?",
        "The delivery for order {order} was due {date}, and nobody came.",
        "Is express shipping available for the {item}?",
    ),
    "ACCOUNT": (
        "I forgot my password and the reset email never arrives.",
        "How do I change the email address on my profile?",
        "Please close my account and remove my profile.",
        "I cannot sign in because it says my username does not exist.",
        "Can I merge my two accounts into one?",
        "How do I change my display name?",
        "My account was locked after I typed the wrong password too many times.",
        "I want to add a second person to my family account.",
        "Where do I update my phone number in my profile settings?",
        "How can I download a copy of my account data?",
    ),
    "BUG": (
        "{product} crashes every time I open the settings page.",
        "The export button in {product} does nothing when I click it.",
        "I get error code {code} when I try to save a file.",
        "Since the last update, {product} freezes after a few minutes.",
        "The search in {product} shows no results even for words I know are there.",
        "Some text is invisible in {product} when dark mode is on.",
        "Every notification from {product} arrives twice.",
        "The dashboard shows a blank white screen after it loads.",
        "Uploading a photo larger than 5 MB makes {product} hang.",
        "The calendar in {product} shows events in the wrong time zone.",
        "Sync between my phone and {product} stopped working.",
    ),
    "FEATURE_REQUEST": (
        "It would be great if {product} had a dark mode.",
        "Could you add an option to export reports as CSV files?",
        "Please consider adding keyboard shortcuts to {product}.",
        "I would love to see a shared calendar in {product}.",
        "Are there plans to support {language} in {product}?",
        "Can you add a way to schedule messages for later?",
        "A home screen widget would make {product} much more useful.",
        "Please let us tag items with our own colors.",
        "I would like an offline mode for {product}.",
        "Could you add more chart types to the dashboard?",
        "It would help if {product} could remind me about due dates.",
    ),
    "REFUND": (
        "I would like a refund for order {order}.",
        "I sent the {item} back {date}; when will I get my money back?",
        "The {item} arrived broken, so I want my money back.",
        "I cancelled during the free trial, please refund the {amount} you took.",
        "Can I return the {item} for a refund if I have opened the box?",
        "You promised me a refund of {amount} two weeks ago and it never came.",
        "The {item} is not what I ordered and I want to return it for a refund.",
        "How long does a refund take to show up on my card?",
        "Please refund my last payment, I no longer need the service.",
        "I want to return order {order} and get store credit instead.",
    ),
    "SECURITY": (
        "I got an email asking for my password that looks like it came from you.",
        "Someone signed in to my account from {country} {date}, and it was not me.",
        "I think my account was hacked because my password changed by itself.",
        "I received a two-factor code that I never asked for.",
        "I found a way to see other people's files in {product} and want to report it.",
        "A text message that claimed to be your support team asked me for a login code.",
        "How do I turn on two-factor authentication?",
        "How do I sign out of all devices? I used a shared computer {date}.",
        "I want to report a vulnerability in your API.",
        "Someone changed the email on my account and I did not do it.",
    ),
    "OTHER": (
        "What are your opening hours on public holidays?",
        "I just wanted to say that the new design looks great.",
        "Are you hiring for remote positions?",
        "Can I visit your office in {city}?",
        "Who should I talk to about a business partnership?",
        "Your support agent {name} was really helpful, thank you.",
        "Do you have a newsletter I can subscribe to?",
        "Is there a user forum where I can meet other customers?",
        "I am writing a school project about your company; may I ask a few questions?",
        "Where can I find your press kit?",
        "Which languages does your support team speak?",
    ),
}
DETAILS: dict[str, tuple[str, ...]] = {
    "BILLING": _w("My card ends in {digits}.|The invoice number is INV-{digits}."
                  "|This is the second month in a row.|I need this sorted for my accounting."),
    "SHIPPING": _w("I need it before the weekend.|The tracking page just says in transit."
                   "|I have been waiting for two weeks.|It was a gift, so timing matters."),
    "ACCOUNT": _w("I have had this account for years.|I already tried clearing my cookies."
                  "|I am using the same email as always.|Nothing in the help pages worked."),
    "BUG": _w("I am using version {version}.|It happens on both my phone and my laptop."
              "|I already reinstalled it.|It started after the update {date}."),
    "FEATURE_REQUEST": _w("Our whole team would use it.|Other tools already have this."
                          "|It would save me a lot of time."
                          "|I would happily pay a bit more for it."),
    "REFUND": _w("I still have the original packaging.|The order number is {order}."
                 "|I paid with my credit card.|I have photos if you need them."),
    "SECURITY": _w("I have already changed my password.|I kept a screenshot of the message."
                   "|Please treat this as urgent.|I am worried about my saved cards."),
    "OTHER": _w("No rush at all.|Just curious.|Have a nice day.|Thanks for reading."),
}
OPENERS = _w("|Hi.|Hello.|Hello team!|Good morning.|Hey there.|Dear support team."
             "|Hi, quick question.|Hi there.|Good afternoon.|")
CLOSERS = _w("|Thanks.|Please help.|Any help is appreciated.|Thank you in advance.|Regards, {name}."
             "|Can someone get back to me?|Cheers.|Best, {name}.|")

SLOTS: dict[str, tuple[str, ...]] = {
    "plan": _w("Basic|Plus|Pro|Team|Family|Premium"),
    "date": _w("yesterday|last week|on Monday|on Friday|this morning|two days ago|on March 3"
               "|on the 14th"),
    "month": _w("January|February|April|June|September|November"),
    "country": _w("Canada|Portugal|Kenya|Japan|Chile|Norway|India|Poland"),
    "item": _w("headphones|blender|backpack|desk lamp|rain jacket|coffee grinder|keyboard"
               "|water bottle"),
    "product": _w("The app|The mobile app|The desktop app|The web app|The Lumo tracker"
                  "|The Pocket Planner app|The browser extension"),
    "language": _w("Japanese|Portuguese|Turkish|Vietnamese|Polish|Swahili"),
    "city": _w("Lisbon|Osaka|Nairobi|Toronto|Krakow|Santiago"),
    "name": _w("Ana|Ben|Chloe|Dev|Elif|Finn|Grace|Hugo|Iris|Jonas|Kemi|Liam"),
}


def _fill(template: str, rng: random.Random) -> str:
    """Fill {slot}s; a product slot mid-sentence is lower-cased ("in the app")."""
    values = {k: rng.choice(v) for k, v in SLOTS.items()}
    values.update(order=f"#{rng.randint(10000, 99999)}", amount=f"${rng.randint(5, 400)}",
                  digits=str(rng.randint(1000, 9999)), days=str(rng.randint(3, 12)),
                  code=f"E{rng.randint(100, 999)}",
                  version=f"{rng.randint(2, 9)}.{rng.randint(0, 12)}")
    if not template.startswith("{product}"):
        values["product"] = values["product"][0].lower() + values["product"][1:]
    return template.format(**values)


def ticket(label: str, rng: random.Random) -> str:
    """One ticket text for the category: opener, issue, an optional detail, closer."""
    parts = [rng.choice(OPENERS), rng.choice(ISSUES[label])]
    if rng.random() < 0.5:
        parts.append(rng.choice(DETAILS[label]))
    parts.append(rng.choice(CLOSERS))
    return " ".join(_fill(p, rng) for p in parts if p)
