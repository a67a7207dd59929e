"""The English side of the style corpus: neutral question/answer pairs (corpus/en_qa.txt, written for
this project), the ways a user may phrase a question, and the word lists the Shakespeare rewriter uses."""
from __future__ import annotations

from studio.data.generate._style_rows import Pair, load_corpus

FRAMINGS = (
    "{q}",
    "Quick question: {q}",
    "{q} Please keep it short.",
    "I was wondering: {q}",
    "Can you tell me this? {q}",
    "{q} A brief answer is fine.",
    "Here is something I never understood. {q}",
    "{q} Explain it simply, please.",
)
JOINER = " And one more: "


def load_pairs() -> tuple[Pair, ...]:
    return load_corpus("en_qa")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Modern contractions are opened first so the rules below see whole words.
CONTRACTIONS: dict[str, str] = {
    "don't": "do not", "doesn't": "does not", "didn't": "did not", "can't": "cannot",
    "won't": "will not", "isn't": "is not", "aren't": "are not", "wasn't": "was not",
    "weren't": "were not", "haven't": "have not", "hasn't": "has not", "shouldn't": "should not",
    "wouldn't": "would not", "couldn't": "could not", "you're": "you are", "you've": "you have",
    "you'll": "you will", "you'd": "you would", "i'm": "I am", "i've": "I have", "i'll": "I will",
    "i'd": "I would", "it's": "it is", "that's": "that is", "there's": "there is", "what's": "what is",
    "here's": "here is", "let's": "let us", "we're": "we are", "they're": "they are",
    "we've": "we have", "they've": "they have", "he's": "he is", "she's": "she is",
}
# The verb that goes with thou (you are → thou art; do you → dost thou).
AUX_THOU: dict[str, str] = {
    "are": "art", "were": "wert", "have": "hast", "had": "hadst", "do": "dost", "did": "didst",
    "will": "wilt", "can": "canst", "shall": "shalt", "should": "shouldst", "would": "wouldst",
    "could": "couldst", "may": "mayst", "might": "mightst", "must": "must",
}
# Plain verbs that take -est after thou (thou knowest); kept to common, unambiguous ones.
EST_VERBS = _words(
    "know think need want see go say make take like love feel seek wish find keep hear mean use try "
    "eat drink sleep live work play speak ask walk start remember enjoy choose hold give come look "
    "learn read write plan cook wash water buy sell carry leave add pick put stay visit own prefer "
    "travel run swim ride bring open close spend follow notice watch grow build plant get cut heat "
    "turn feed clean store check hang sit stand wait rest fill pour stir boil bake fry wake touch "
    "hear smell taste measure mix expect breathe meet save shoot score press move arrive step set "
    "shower earn")
# Words after which "you" begins a clause (so it is the subject, thou).
CLAUSE_START = _words(
    "and but or so if when whenever while because since as though although unless until till once "
    "that then than whether where wherever what which who how why before after lest nor yet whatever "
    "ere whilst")
PREPOSITIONS = _words(
    "to for with at from by of about upon unto on in into onto without against behind near like "
    "toward towards around through between beside among under over past beyond within")
DETERMINERS = _words(
    "the a an this that these those each every your thy thine my mine his her its our their some "
    "any no one another either neither much")
# After these the next -s word is a verb (it goes → it goeth) ...
THIRD_SUBJECTS = _words("he she it everyone everybody someone somebody nobody anyone")
# ... after these only when it is a known verb ("that stripes keep" must stay).
WEAK_SUBJECTS = _words("this that who which what one each nothing something everything anything")
# Before a noun they make it plural: "the five basic tastes" has no verb in "tastes".
QUANTIFIERS = _words("two three four five six seven eight nine ten many several few both all most "
                     "these those various")
ADVERBS = _words(
    "also often oft always never usually sometimes still even just only rarely really then already "
    "soon quickly slowly simply mostly nearly almost generally typically naturally not actually well "
    "probably certainly")
# Words ending in s that are never a third-person verb.
NOT_S_VERBS = _words(
    "always sometimes perhaps towards besides afterwards upwards downwards indoors outdoors overseas "
    "thus plus was its his hers theirs ours yours this yes as whereas news lots series species lens "
    "canvas atlas gas bus physics mathematics economics ethics politics athletics gymnastics "
    "various numerous famous nervous serious delicious previous enormous dangerous generous "
    "fewer less unless tis twas")
# -s verbs safe to turn into -eth after a noun subject (the sun rises → riseth): no plural nouns here.
S_VERBS = _words(
    "helps keeps makes takes gives needs grows rises turns means comes goes lasts holds brings shines "
    "flows moves depends contains protects produces requires uses feels seems becomes stays tastes "
    "smells carries tells lets begins happens spreads reflects absorbs traps prevents reduces "
    "improves allows causes creates melts boils freezes burns pulls pushes travels blows knows loves "
    "likes wants thinks believes hears sees finds wins loses pays weighs hides hunts breathes pumps "
    "heals follows leads orbits spins dries cools heats warms adds matters sleeps eats drinks swims "
    "lays builds lives dies kills cooks rots fades floats sinks stores sends gets says does has "
    "works runs falls ends starts shows breaks sets leans splits bends reacts slows scatters reaches "
    "appears disappears expands sits stands lies happens tends differs varies remains includes "
    "involves affects supports provides offers fills drops rolls lifts opens closes catches sounds "
    "looks cleans cuts lands points counts equals hangs attracts connects joins marks signals "
    "explains teaches learns remembers forgets senses detects responds adapts survives migrates "
    "hatches feeds bites stings sings calls climbs digs jumps crawls glides dives sheds blooms "
    "ripens wilts shrinks stretches cracks rusts dissolves evaporates condenses conducts converts "
    "rotates circles passes crosses enters returns arrives saves spends earns charges doubles drains "
    "soaks releases sticks slides slips glows sparkles darkens brightens softens hardens loosens "
    "tightens thickens lowers raises boosts guards defends warns hurts harms damages cures eases "
    "relieves soothes calms wets washes rinses bakes fries roasts thaws relies belongs walks plays "
    "hates prefers enjoys chooses decides tries increases stops peels sounds reads writes speaks "
    "changes fits smokes tolerates tires chases owes strengthens lifts collapses escapes replaces "
    "buries covers shapes measures beats focuses waters forms celebrates flexes handles gulps pecks "
    "wicks solves meets swells")
# Verbs that are never nouns: a word before an -s verb that is one of these is not its subject.
NOT_NOUNS = _words("take make give keep get see know find bring put let help save tell show send "
                   "am is are was were be been being have has had do does did")
# Single words with an Early Modern counterpart.
WORD_SWAPS: dict[str, str] = {
    "before": "ere", "often": "oft", "perhaps": "perchance", "maybe": "perchance",
    "nothing": "naught", "until": "till", "hello": "well met", "okay": "well", "over": "o'er",
    "ever": "e'er", "never": "ne'er", "between": "betwixt",
}
