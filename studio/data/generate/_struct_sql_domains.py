"""Invented database domains for the SQL task: seventeen (parent, child) table pairs, each table
with a label column, several optional category and number columns, and word pools to fill them.

A context picks 2-4 optional columns per table, so the same domain yields many different tables."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    name: str
    words: str
    """How a question names the column ("page count")."""
    kind: str
    """cat (TEXT from a small pool), int or real (distinct numbers drawn from a range)."""
    pool: tuple = ()
    """cat: the values; int/real: (low, high)."""

    @property
    def sql_type(self) -> str:
        return {"cat": "TEXT", "int": "INTEGER", "real": "REAL"}[self.kind]


@dataclass(frozen=True)
class Table:
    name: str
    singular: str
    plural: str
    label: str
    """The column that names a row (title, name); its values are unique within a table."""
    label_words: tuple[str, str]
    """(singular, plural) words for the label column: ("title", "titles")."""
    label_parts: tuple[tuple[str, ...], ...]
    """Word lists whose product gives the label values ("Mara" x "Quill")."""
    cols: tuple[Col, ...]


@dataclass(frozen=True)
class Domain:
    name: str
    parent: Table
    child: Table
    fk: str
    """The child's column that holds the parent's id."""


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


def cat(name: str, words: str, values: str) -> Col:
    return Col(name, words, "cat", _w(values))


def num(name: str, words: str, low: float, high: float, kind: str = "int") -> Col:
    return Col(name, words, kind, (low, high))


FIRST = _w("Mara|Tomas|Ines|Kofi|Lena|Oskar|Priya|Ruben|Sana|Teo|Uma|Viktor|Wren|Yara|Ansel|Bette"
           "|Cyrus|Dalia|Emil|Farah|Goran|Hana|Ivo|Juno")
LAST = _w("Quill|Arden|Baptiste|Castell|Dorran|Ellery|Fenwick|Galloway|Hollis|Ibarra|Jessop"
          "|Kavanagh|Lindqvist|Marrow|Novak|Okafor|Pell|Rask|Sorensen|Tamura")
PERSON = (FIRST, LAST)
TITLE = (_w("The Quiet|The Paper|A Distant|The Glass|Under the|The Last|Winter|The Hidden"
            "|Beyond the|The Salt|Northern|The Copper"),
         _w("Map|Orchard|Lighthouse|River|Garden|Letter|Harbor|Mountain|Clock|Bridge|Tide|Lantern"))
CITIES = _w("Oakridge|Brookfield|Lakemont|Fairhaven|Stonebury|Millbrook|Westcliff|Ravensport"
            "|Ashton|Greywater|Pinecrest|Elmsworth")

DOMAINS: tuple[Domain, ...] = (
    Domain("library", Table("authors", "author", "authors", "name", ("name", "names"), PERSON, (
        cat("country", "country", "Norway|Chile|Kenya|Japan|Canada|Portugal"),
        num("birth_year", "birth year", 1930, 1995),
        num("awards", "number of awards", 0, 40),
        cat("language", "writing language", "English|Spanish|French|Swahili"),
    )), Table("books", "book", "books", "title", ("title", "titles"), TITLE, (
        cat("genre", "genre", "Mystery|Fantasy|History|Poetry|Science|Travel"),
        num("pages", "page count", 80, 900),
        num("year", "publication year", 1960, 2024),
        num("price", "price", 5, 60, "real"),
        cat("format", "format", "Hardcover|Paperback|Ebook"),
    )), "author_id"),
    Domain("shop", Table("customers", "customer", "customers", "name", ("name", "names"), PERSON, (
        cat("city", "city", "|".join(CITIES[:6])),
        num("age", "age", 18, 80),
        cat("membership", "membership level", "Basic|Silver|Gold"),
        num("points", "loyalty points", 0, 5000),
    )), Table("orders", "order", "orders", "product", ("product", "products"), (
        _w("Cedar|Linen|Steel|Cotton|Bamboo|Wool|Ceramic|Walnut"),
        _w("Lamp|Chair|Kettle|Blanket|Backpack|Mug|Desk|Rug|Shelf|Vase")), (
        cat("category", "category", "Home|Kitchen|Outdoor|Office"),
        num("quantity", "quantity", 1, 40),
        num("total", "total amount", 10, 900, "real"),
        cat("status", "status", "Shipped|Pending|Delivered|Cancelled"),
    )), "customer_id"),
    Domain("school", Table("teachers", "teacher", "teachers", "name", ("name", "names"), PERSON, (
        cat("subject", "subject", "Math|Biology|History|Art|Music|Chemistry"),
        num("years_experience", "years of experience", 1, 35),
        num("salary", "salary", 30000, 90000),
    )), Table("students", "student", "students", "name", ("name", "names"), PERSON, (
        num("age", "age", 10, 19),
        num("gpa", "GPA", 1, 4, "real"),
        cat("club", "club", "Chess|Drama|Robotics|Choir|Football"),
        num("absences", "number of absences", 0, 30),
        cat("house", "house", "Red|Blue|Green|Yellow"),
    )), "teacher_id"),
    Domain("league", Table("teams", "team", "teams", "name", ("name", "names"), (
        CITIES, _w("Hawks|Foxes|Comets|Otters|Giants|Rovers|Herons|Wolves|Pilots")), (
        cat("division", "division", "North|South|East|West"),
        num("founded", "founding year", 1880, 2015),
        num("capacity", "stadium capacity", 5000, 80000),
        num("titles", "number of titles", 0, 30),
    )), Table("players", "player", "players", "name", ("name", "names"), PERSON, (
        cat("position", "position", "Goalkeeper|Defender|Midfielder|Forward"),
        num("goals", "goal count", 0, 60),
        num("age", "age", 17, 39),
        num("salary", "salary", 1, 90, "real"),
        cat("nationality", "nationality", "Brazil|Ghana|Spain|Korea|Mexico|Sweden"),
    )), "team_id"),
    Domain("clinic", Table("doctors", "doctor", "doctors", "name", ("name", "names"), PERSON, (
        cat("specialty", "specialty", "Cardiology|Pediatrics|Dermatology|Neurology|Oncology"),
        num("years_experience", "years of experience", 2, 40),
        num("rating", "patient rating", 1, 5, "real"),
    )), Table("patients", "patient", "patients", "name", ("name", "names"), PERSON, (
        cat("city", "city", "|".join(CITIES[3:9])),
        num("age", "age", 1, 95),
        num("weight", "weight", 20, 120, "real"),
        cat("blood_type", "blood type", "A|B|AB|O"),
        num("visits", "number of visits", 1, 50),
    )), "doctor_id"),
    Domain("airline", Table("airports", "airport", "airports", "name", ("name", "names"), (
        CITIES, _w("International|Regional|Field|Airport")), (
        cat("country", "country", "Iceland|Peru|Egypt|Vietnam|Ireland"),
        num("elevation", "elevation", 0, 3000),
        num("runways", "number of runways", 1, 9),
    )), Table("flights", "flight", "flights", "flight_number",
              ("flight number", "flight numbers"), (
        _w("KT|AR|BX|ZN|QL"), _w("101|204|318|422|509|611|735|840|917|263")), (
        cat("destination", "destination", "Lisbon|Nairobi|Osaka|Quito|Oslo|Hanoi"),
        num("duration", "duration in minutes", 45, 900),
        num("price", "ticket price", 50, 1500, "real"),
        cat("status", "status", "On time|Delayed|Boarding|Cancelled"),
    )), "airport_id"),
    Domain("hotel", Table("hotels", "hotel", "hotels", "name", ("name", "names"), (
        _w("Harbor|Maple|Grand|Summit|Willow|Cobalt|Juniper|Lotus"),
        _w("Hotel|Inn|Lodge|Suites")), (
        cat("city", "city", "|".join(CITIES[:7])),
        num("rooms", "number of rooms", 10, 400),
        num("opened", "opening year", 1900, 2022),
    )), Table("guests", "guest", "guests", "name", ("name", "names"), PERSON, (
        cat("country", "country", "France|India|Brazil|Egypt|Finland|Canada"),
        num("nights", "number of nights", 1, 30),
        num("bill", "bill", 80, 4000, "real"),
        cat("room_type", "room type", "Single|Double|Suite"),
    )), "hotel_id"),
    Domain("restaurant", Table("restaurants", "restaurant", "restaurants", "name",
                               ("name", "names"), (
        _w("Blue|Golden|Little|Olive|Copper|Sunny|Rustic"),
        _w("Spoon|Table|Kitchen|Garden|Bistro")), (
        cat("cuisine", "cuisine", "Italian|Thai|Mexican|Ethiopian|Korean|Greek"),
        cat("city", "city", "|".join(CITIES[4:10])),
        num("seats", "number of seats", 12, 200),
    )), Table("dishes", "dish", "dishes", "name", ("name", "names"), (
        _w("Smoked|Roasted|Spicy|Grilled|Crispy|Lemon|Garlic"),
        _w("Noodles|Salad|Curry|Tacos|Soup|Dumplings|Stew|Flatbread")), (
        cat("course", "course", "Starter|Main|Dessert"),
        num("price", "price", 3, 40, "real"),
        num("calories", "calorie count", 120, 1400),
        cat("spice_level", "spice level", "Mild|Medium|Hot"),
    )), "restaurant_id"),
    Domain("music", Table("artists", "artist", "artists", "name", ("name", "names"), PERSON, (
        cat("genre", "genre", "Jazz|Folk|Rock|Electronic|Soul|Classical"),
        cat("country", "country", "Mali|Ireland|Japan|Cuba|Norway|Canada"),
        num("debut_year", "debut year", 1960, 2020),
    )), Table("albums", "album", "albums", "title", ("title", "titles"), TITLE, (
        num("year", "release year", 1965, 2024),
        num("tracks", "number of tracks", 6, 24),
        num("length", "length in minutes", 25, 80, "real"),
        cat("format", "format", "Vinyl|CD|Digital"),
    )), "artist_id"),
    Domain("cinema", Table("directors", "director", "directors", "name", ("name", "names"),
                           PERSON, (
        cat("country", "country", "Italy|Korea|Nigeria|Mexico|Iran|Denmark"),
        num("birth_year", "birth year", 1935, 1995),
        num("awards", "number of awards", 0, 25),
    )), Table("films", "film", "films", "title", ("title", "titles"), TITLE, (
        cat("genre", "genre", "Drama|Comedy|Thriller|Documentary|Animation"),
        num("year", "release year", 1970, 2024),
        num("runtime", "runtime", 70, 200),
        num("budget", "budget in millions", 1, 250, "real"),
        cat("age_rating", "age rating", "G|PG|PG-13|R"),
    )), "director_id"),
    Domain("zoo", Table("enclosures", "enclosure", "enclosures", "name", ("name", "names"), (
        _w("Savanna|Rainforest|Arctic|Desert|Wetland|Mountain"), _w("House|Pavilion|Dome|Yard")), (
        cat("zone", "zone", "North|South|East|West"),
        num("area", "area", 100, 9000),
        num("built", "construction year", 1950, 2023),
    )), Table("animals", "animal", "animals", "name", ("name", "names"), (
        _w("Biscuit|Pepper|Nova|Clover|Ziggy|Mango|Luna|Otto|Pebble|Juniper|Rocket|Saffron"),), (
        cat("species", "species", "Zebra|Penguin|Lemur|Tortoise|Otter|Giraffe"),
        num("age", "age", 1, 60),
        num("weight", "weight", 1, 900, "real"),
        cat("diet", "diet", "Herbivore|Carnivore|Omnivore"),
    )), "enclosure_id"),
    Domain("car_rental", Table("branches", "branch", "branches", "name", ("name", "names"), (
        CITIES, _w("Central|Airport|Harbor|Station")), (
        cat("region", "region", "Coast|Valley|Highlands|Metro"),
        num("opened", "opening year", 1975, 2023),
        num("staff", "number of staff", 3, 80),
    )), Table("cars", "car", "cars", "model", ("model", "models"), (
        _w("Vantor|Kessel|Arlo|Mirada|Tessin|Orbis"), _w("Sprite|Ranger|Coupe|Wagon|Glide|Trek")), (
        cat("color", "color", "Red|Black|White|Silver|Blue"),
        num("seats", "number of seats", 2, 9),
        num("daily_rate", "daily rate", 20, 250, "real"),
        cat("fuel", "fuel type", "Petrol|Diesel|Electric|Hybrid"),
        num("year", "model year", 2005, 2025),
    )), "branch_id"),
    Domain("real_estate", Table("agents", "agent", "agents", "name", ("name", "names"), PERSON, (
        cat("agency", "agency", "Keystone|Brightdoor|Northgate|Homefield"),
        num("years_active", "years active", 1, 40),
        num("commission", "commission rate", 1, 6, "real"),
    )), Table("houses", "house", "houses", "address", ("address", "addresses"), (
        _w("12|47|88|103|250|31|9|64"),
        _w("Elm Street|Birch Road|Hill Lane|Mill Avenue|Park Way")), (
        cat("city", "city", "|".join(CITIES[6:12])),
        num("bedrooms", "number of bedrooms", 1, 8),
        num("price", "price", 90000, 950000),
        num("area", "floor area", 40, 400),
        cat("style", "style", "Cottage|Modern|Victorian|Ranch"),
    )), "agent_id"),
    Domain("museum", Table("museums", "museum", "museums", "name", ("name", "names"), (
        CITIES, _w("Museum|Gallery|Collection")), (
        cat("theme", "theme", "Art|Science|History|Design"),
        num("founded", "founding year", 1850, 2020),
        num("visitors", "yearly visitor count", 5000, 900000),
    )), Table("artworks", "artwork", "artworks", "title", ("title", "titles"), TITLE, (
        cat("medium", "medium", "Oil|Watercolor|Bronze|Marble|Photograph"),
        num("year", "creation year", 1500, 2020),
        num("value", "value in millions", 1, 90, "real"),
        cat("room", "room", "East Hall|West Hall|Atrium|Vault"),
    )), "museum_id"),
    Domain("gym", Table("trainers", "trainer", "trainers", "name", ("name", "names"), PERSON, (
        cat("specialty", "specialty", "Yoga|Boxing|Pilates|Strength|Cycling"),
        num("hourly_rate", "hourly rate", 20, 120, "real"),
        num("certifications", "number of certifications", 1, 12),
    )), Table("members", "member", "members", "name", ("name", "names"), PERSON, (
        cat("plan", "plan", "Monthly|Yearly|Student|Family"),
        num("age", "age", 16, 85),
        num("visits", "number of visits", 0, 300),
        num("weight", "weight", 45, 130, "real"),
    )), "trainer_id"),
    Domain("garden", Table("gardeners", "gardener", "gardeners", "name", ("name", "names"),
                           PERSON, (
        cat("district", "district", "Riverside|Old Town|Hillside|Market"),
        num("years_experience", "years of experience", 1, 45),
        num("plots", "number of plots", 1, 20),
    )), Table("plants", "plant", "plants", "name", ("name", "names"), (
        _w("Red|Dwarf|Giant|Silver|Wild|Morning|Golden"),
        _w("Fern|Poppy|Sage|Tulip|Ivy|Maple|Lily|Thistle")), (
        cat("type", "type", "Herb|Shrub|Flower|Tree|Vine"),
        num("height", "height in centimeters", 5, 900),
        num("price", "price", 2, 80, "real"),
        cat("sunlight", "sunlight need", "Full|Partial|Shade"),
    )), "gardener_id"),
    Domain("bakery", Table("bakeries", "bakery", "bakeries", "name", ("name", "names"), (
        _w("Sweet|Golden|Morning|Crumb|Honey|Flour"), _w("Oven|Corner|House|Mill")), (
        cat("city", "city", "|".join(CITIES[2:8])),
        num("opened", "opening year", 1920, 2023),
        num("staff", "number of staff", 2, 40),
    )), Table("pastries", "pastry", "pastries", "name", ("name", "names"), (
        _w("Almond|Cherry|Cinnamon|Poppy|Maple|Pear|Hazelnut"),
        _w("Tart|Croissant|Roll|Bun|Cake|Pie|Scone")), (
        cat("flavor", "flavor", "Sweet|Savory|Tart"),
        num("price", "price", 1, 15, "real"),
        num("calories", "calorie count", 90, 800),
        cat("shelf", "shelf", "Top|Middle|Bottom"),
    )), "bakery_id"),
)
