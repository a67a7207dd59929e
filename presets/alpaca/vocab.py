"""Word lists and sentences behind the alpaca preset's instruction tasks (written for this project).
Every answer the tasks give is computed from these tables, so each one is correct by construction."""
from __future__ import annotations

SENTIMENT = {
    "Positive": (
        "I loved every minute of this film.", "The staff were kind and the food was delicious.",
        "This is the most comfortable chair I have ever owned.", "What a beautiful morning for a walk!",
        "The new update made the app so much faster.", "My order arrived early and well packed.",
        "The concert was even better than I hoped.", "I am thrilled with how the garden turned out.",
        "Our guide was funny, patient and very knowledgeable.",
        "This soup tastes just like my grandmother's.", "The hotel room was spotless and quiet.",
        "I finally passed my exam and I am so happy!", "The book kept me smiling from start to finish.",
        "Great value for the price; I would buy it again.",
        "The children had a wonderful time at the museum.",
    ),
    "Negative": (
        "The battery died after only two hours.", "I waited forty minutes and nobody came to help.",
        "The shirt shrank after one wash.", "This was the most boring lecture I have ever sat through.",
        "The train was late again and I missed my meeting.", "The soup was cold and far too salty.",
        "My package arrived broken and the box was soaked.", "The app keeps crashing whenever I open it.",
        "The room smelled of smoke and the bed was hard.", "I regret buying these shoes; they hurt my feet.",
        "The customer service was rude and unhelpful.", "The ending of the film ruined the whole story.",
        "The printer jams on every second page.", "Our flight was cancelled with no explanation.",
        "The paint started peeling after a week.",
    ),
    "Neutral": (
        "the meeting starts at ten o'clock.", "the store is on the corner of the next street.",
        "this jacket comes in blue and grey.", "the train leaves from platform four.",
        "the report has twelve pages.", "the library closes at six on weekends.",
        "the package weighs two kilograms.", "she moved to a new apartment last month.",
        "the museum is free on the first day of each month.",
        "the recipe uses three eggs and a cup of flour.", "the bus runs every fifteen minutes.",
        "the film is two hours long.", "he ordered tea instead of coffee.",
        "the park has a small lake and a playground.", "the shop sells bread, milk and cheese.",
    ),
}
NAMES = ("Aiko", "Ben", "Chloe", "Daniel", "Emma", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kira",
         "Liam", "Mei", "Noah", "Olivia", "Priya", "Rosa", "Sam", "Tara", "Yusuf")
OBJECTS = ("apples", "pencils", "stickers", "marbles", "books", "cookies", "stamps", "shells",
           "cards", "balloons")
SORT_WORDS = ("apple", "river", "candle", "mountain", "zebra", "orange", "garden", "kettle", "lemon",
              "violin", "harbour", "pepper", "ladder", "island", "tiger", "window", "basket", "forest",
              "meadow", "quill", "dolphin", "yacht", "jacket", "noodle", "engine", "feather", "umbrella")
PLURALS = {
    "child": "children", "mouse": "mice", "tooth": "teeth", "foot": "feet", "person": "people",
    "man": "men", "woman": "women", "goose": "geese", "sheep": "sheep", "deer": "deer",
    "leaf": "leaves", "knife": "knives", "wolf": "wolves", "city": "cities", "baby": "babies",
    "box": "boxes", "bus": "buses", "potato": "potatoes", "tomato": "tomatoes", "photo": "photos",
    "piano": "pianos", "church": "churches", "dish": "dishes", "day": "days", "toy": "toys",
    "book": "books", "ox": "oxen", "life": "lives", "half": "halves", "wife": "wives",
    "hero": "heroes", "key": "keys", "party": "parties", "glass": "glasses", "watch": "watches",
}
PAST = {
    "go": "went", "eat": "ate", "see": "saw", "write": "wrote", "run": "ran", "swim": "swam",
    "buy": "bought", "think": "thought", "bring": "brought", "teach": "taught", "catch": "caught",
    "fly": "flew", "drink": "drank", "sing": "sang", "begin": "began", "take": "took", "give": "gave",
    "speak": "spoke", "break": "broke", "choose": "chose", "freeze": "froze", "drive": "drove",
    "ride": "rode", "win": "won", "sit": "sat", "stand": "stood", "keep": "kept", "sleep": "slept",
    "feel": "felt", "leave": "left", "meet": "met", "find": "found", "make": "made", "say": "said",
    "pay": "paid", "sell": "sold", "tell": "told", "build": "built", "send": "sent", "lose": "lost",
    "walk": "walked", "play": "played", "cry": "cried", "stop": "stopped", "plan": "planned",
    "jump": "jumped", "dance": "danced", "study": "studied",
}
PAST_SENTENCES = (
    ("We play football after lunch.", "We played football after lunch."),
    ("I walk to the station every morning.", "I walked to the station every morning."),
    ("They eat dinner at seven.", "They ate dinner at seven."),
    ("I write a letter to my aunt.", "I wrote a letter to my aunt."),
    ("We swim in the lake.", "We swam in the lake."),
    ("They build a small boat.", "They built a small boat."),
    ("I buy fresh bread on the way home.", "I bought fresh bread on the way home."),
    ("We sing songs around the fire.", "We sang songs around the fire."),
    ("I find my keys under the sofa.", "I found my keys under the sofa."),
    ("They study for the test together.", "They studied for the test together."),
    ("I drink a glass of water.", "I drank a glass of water."),
    ("We take the early train.", "We took the early train."),
    ("I send a message to my friend.", "I sent a message to my friend."),
    ("They dance at the wedding.", "They danced at the wedding."),
    ("I sleep for eight hours.", "I slept for eight hours."),
    ("We meet at the cafe.", "We met at the cafe."),
)
ANTONYMS = {
    "hot": "cold", "big": "small", "fast": "slow", "happy": "sad", "early": "late", "full": "empty",
    "strong": "weak", "rich": "poor", "young": "old", "ancient": "modern", "loud": "quiet",
    "hard": "soft", "wet": "dry", "clean": "dirty", "long": "short", "wide": "narrow", "high": "low",
    "thick": "thin", "cheap": "expensive", "push": "pull", "arrive": "depart", "remember": "forget",
    "accept": "refuse", "increase": "decrease", "begin": "end", "above": "below", "inside": "outside",
    "before": "after", "true": "false", "friend": "enemy", "day": "night", "summer": "winter",
    "north": "south", "east": "west", "asleep": "awake", "absent": "present", "polite": "rude",
    "safe": "dangerous", "visible": "invisible", "easy": "difficult", "near": "far",
    "rough": "smooth", "tight": "loose", "shallow": "deep", "guilty": "innocent",
    "success": "failure", "maximum": "minimum", "question": "answer", "buy": "sell",
    "float": "sink", "freeze": "melt",
}
SYNONYMS = {
    "big": "large", "small": "tiny", "happy": "cheerful", "fast": "quick", "begin": "start",
    "finish": "complete", "smart": "clever", "difficult": "hard", "easy": "simple", "shut": "close",
    "quiet": "silent", "rich": "wealthy", "sad": "unhappy", "funny": "amusing", "scared": "afraid",
    "choose": "pick", "buy": "purchase", "help": "assist", "answer": "reply", "gift": "present",
    "road": "street", "idea": "thought", "angry": "cross", "brave": "courageous",
}
TRANSLATIONS = {
    "French": {"apple": "pomme", "water": "eau", "house": "maison", "cat": "chat", "dog": "chien",
               "book": "livre", "bread": "pain", "sun": "soleil", "moon": "lune", "tree": "arbre",
               "red": "rouge", "blue": "bleu", "green": "vert", "thank you": "merci",
               "hello": "bonjour", "friend": "ami", "school": "école", "car": "voiture", "milk": "lait",
               "cheese": "fromage", "sea": "mer", "city": "ville", "flower": "fleur", "rain": "pluie",
               "snow": "neige", "bird": "oiseau", "fish": "poisson", "horse": "cheval"},
    "Spanish": {"apple": "manzana", "water": "agua", "house": "casa", "cat": "gato", "dog": "perro",
                "book": "libro", "bread": "pan", "sun": "sol", "moon": "luna", "tree": "árbol",
                "red": "rojo", "blue": "azul", "green": "verde", "thank you": "gracias",
                "hello": "hola", "friend": "amigo", "school": "escuela", "milk": "leche",
                "cheese": "queso", "sea": "mar", "city": "ciudad", "flower": "flor", "rain": "lluvia",
                "snow": "nieve", "bird": "pájaro", "horse": "caballo"},
    "Japanese": {"apple": "りんご (ringo)", "water": "水 (mizu)", "cat": "猫 (neko)", "dog": "犬 (inu)",
                 "book": "本 (hon)", "moon": "月 (tsuki)", "tree": "木 (ki)",
                 "thank you": "ありがとう (arigatou)", "hello": "こんにちは (konnichiwa)",
                 "school": "学校 (gakkou)", "car": "車 (kuruma)", "sea": "海 (umi)",
                 "flower": "花 (hana)", "river": "川 (kawa)", "rain": "雨 (ame)", "snow": "雪 (yuki)",
                 "bird": "鳥 (tori)", "fish": "魚 (sakana)", "horse": "馬 (uma)", "house": "家 (ie)"},
}
ANIMAL_CLASSES = {
    "dog": "mammal", "whale": "mammal", "bat": "mammal", "dolphin": "mammal", "horse": "mammal",
    "eagle": "bird", "penguin": "bird", "owl": "bird", "ostrich": "bird", "parrot": "bird",
    "shark": "fish", "salmon": "fish", "tuna": "fish", "goldfish": "fish", "frog": "amphibian",
    "salamander": "amphibian", "toad": "amphibian", "snake": "reptile", "lizard": "reptile",
    "crocodile": "reptile", "tortoise": "reptile", "bee": "insect", "ant": "insect",
    "butterfly": "insect", "beetle": "insect", "mosquito": "insect",
}
# (singular, plural) category name -> members
CATEGORIES = {
    ("fruit", "fruits"): ("apple", "banana", "cherry", "grape", "mango", "pear", "kiwi", "melon"),
    ("vegetable", "vegetables"): ("carrot", "potato", "onion", "cabbage", "spinach", "leek", "celery"),
    ("vehicle", "vehicles"): ("car", "bus", "train", "bicycle", "truck", "tram", "van"),
    ("colour", "colours"): ("red", "blue", "green", "yellow", "purple", "pink", "brown"),
    ("musical instrument", "musical instruments"): ("piano", "violin", "guitar", "flute", "drum",
                                                   "trumpet", "cello"),
    ("piece of furniture", "pieces of furniture"): ("chair", "table", "sofa", "bed", "desk",
                                                   "wardrobe", "bookshelf"),
    ("planet", "planets"): ("Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune"),
}
CAPITALS = {
    "France": "Paris", "Japan": "Tokyo", "Italy": "Rome", "Spain": "Madrid", "Germany": "Berlin",
    "Canada": "Ottawa", "Australia": "Canberra", "Brazil": "Brasília", "Egypt": "Cairo",
    "Kenya": "Nairobi", "India": "New Delhi", "China": "Beijing", "South Korea": "Seoul",
    "Mexico": "Mexico City", "Argentina": "Buenos Aires", "Portugal": "Lisbon", "Greece": "Athens",
    "Norway": "Oslo", "Sweden": "Stockholm", "Finland": "Helsinki", "Ireland": "Dublin",
    "Poland": "Warsaw", "Austria": "Vienna", "Thailand": "Bangkok", "Vietnam": "Hanoi", "Peru": "Lima",
    "Chile": "Santiago", "New Zealand": "Wellington", "Turkey": "Ankara", "Denmark": "Copenhagen",
}
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = {"January": "31", "February": "28 days, or 29 in a leap year", "March": "31", "April": "30",
          "May": "31", "June": "30", "July": "31", "August": "31", "September": "30",
          "October": "31", "November": "30", "December": "31"}  # "N" is read as "N days"
POLITE = (
    ("Give me the salt.", "Could you please pass me the salt?"),
    ("Send me the report now.", "Could you please send me the report when you have a moment?"),
    ("Move your bag.", "Would you mind moving your bag, please?"),
    ("Tell me the time.", "Excuse me, could you tell me the time, please?"),
    ("Be quiet.", "Could you please keep the noise down?"),
    ("Call me back.", "Could you please call me back when you are free?"),
    ("Open the window.", "Would you mind opening the window, please?"),
    ("Fix this by Friday.", "Would it be possible to fix this by Friday?"),
    ("Wait here.", "Could you please wait here for a moment?"),
    ("Explain that again.", "Sorry, could you explain that again, please?"),
    ("Lend me a pen.", "Could I borrow a pen, please?"),
    ("Turn the music down.", "Would you mind turning the music down a little, please?"),
    ("Sign this form.", "Could you please sign this form?"),
    ("Show me the way to the station.", "Excuse me, could you show me the way to the station?"),
)
EMAIL_USERS = ("anna.lee", "ben.ito", "carla.m", "dev.patel", "ella.k", "frank.o", "gina.r",
               "hana.s", "ivan.t", "jo.wu")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
EMAIL_FRAMES = ("Please contact {e} for more details.", "Send your questions to {e} before Friday.",
                "You can reach our support team at {e} at any time.",
                "For tickets, write to {e} and mention your seat number.")
