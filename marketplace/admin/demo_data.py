"""The invented part of the demo region: producers and their goods, pickup places, people."""
from __future__ import annotations

# Sub-region → (hub place, ISO weekdays, door delivery?)
SCHEDULES = {
    "Eifel": ("Mayen", [2, 5], True),
    "Maifeld-Mosel": ("Polch", [3, 6], False),
    "Pellenz-Rhein": ("Plaidt", [2, 5], True),
    "Rhein-Westerwald": ("Bendorf", [1, 4], False),
}

CATEGORIES = [
    ("obst-gemuese", "Obst & Gemüse"),
    ("brot-backwaren", "Brot & Backwaren"),
    ("milch-kaese", "Milch & Käse"),
    ("fleisch-wurst", "Fleisch & Wurst"),
    ("eier", "Eier"),
    ("getraenke", "Getränke"),
    ("honig-aufstriche", "Honig & Aufstriche"),
    ("tiefkuehl", "Tiefkühl"),
    ("vorrat", "Nudeln, Mehl & Vorrat"),
    ("haushalt", "Haushalt & Handwerk"),
]

# (name, unit, price_cents, vat, temperature, stock or None, crate units, unit weight g, organic, category)
P = tuple
PRODUCERS = [
    ("Hofladen Schmitz", "Kehrig", "Gemüsebau in dritter Generation, alles vom eigenen Feld.", [
        P(("Kartoffeln festkochend", "kg", 240, 7, "ambient", 300, "0.1", None, False, "obst-gemuese")),
        P(("Kartoffeln mehligkochend", "kg", 240, 7, "ambient", 250, "0.1", None, False, "obst-gemuese")),
        P(("Möhren", "kg", 290, 7, "ambient", 120, "0.1", None, True, "obst-gemuese")),
        P(("Zwiebeln", "500g", 150, 7, "ambient", 200, "0.05", None, False, "obst-gemuese")),
        P(("Lauch", "piece", 120, 7, "ambient", 60, "0.05", 300, False, "obst-gemuese")),
        P(("Rote Bete", "kg", 320, 7, "ambient", 3, "0.1", None, True, "obst-gemuese")),
        P(("Grünkohl", "500g", 280, 7, "chilled", 40, "0.1", None, False, "obst-gemuese")),
        P(("Feldsalat", "piece", 220, 7, "chilled", 25, "0.05", 150, True, "obst-gemuese")),
        P(("Kürbis Hokkaido", "piece", 350, 7, "ambient", 30, "0.2", 1200, True, "obst-gemuese")),
        P(("Petersilie", "bunch", 130, 7, "chilled", 4, "0.02", None, False, "obst-gemuese")),
    ]),
    ("Bäckerei Hoffmann", "Mayen", "Handwerksbäckerei mit Natursauerteig und Holzofen.", [
        P(("Eifeler Bauernbrot", "piece", 450, 7, "ambient", None, "0.15", 1000, False, "brot-backwaren")),
        P(("Dinkelvollkornbrot", "piece", 520, 7, "ambient", None, "0.12", 750, True, "brot-backwaren")),
        P(("Roggenmischbrot", "piece", 410, 7, "ambient", None, "0.12", 750, False, "brot-backwaren")),
        P(("Brötchen (6 Stück)", "piece", 270, 7, "ambient", None, "0.1", 360, False, "brot-backwaren")),
        P(("Laugenbrezeln (4 Stück)", "piece", 320, 7, "ambient", None, "0.08", 320, False, "brot-backwaren")),
        P(("Streuselkuchen", "piece", 1250, 7, "ambient", None, "0.3", 1500, False, "brot-backwaren")),
        P(("Apfelstrudel", "piece", 890, 7, "chilled", None, "0.2", 800, False, "brot-backwaren")),
        P(("Zwieback", "piece", 290, 7, "ambient", 40, "0.05", 225, False, "brot-backwaren")),
        P(("Eierlikörtorte", "piece", 2450, 7, "chilled", 2, "0.4", 1800, False, "brot-backwaren")),
        P(("Weckmann", "piece", 180, 7, "ambient", None, "0.05", 120, False, "brot-backwaren")),
    ]),
    ("Milchhof Weber", "Langenfeld", "Weidemilch von 60 Kühen, in der Hofkäserei verarbeitet.", [
        P(("Frische Vollmilch", "litre", 149, 7, "chilled", 80, "0.1", None, False, "milch-kaese")),
        P(("Buttermilch", "litre", 129, 7, "chilled", 30, "0.1", None, False, "milch-kaese")),
        P(("Naturjoghurt", "piece", 189, 7, "chilled", 50, "0.05", 500, True, "milch-kaese")),
        P(("Quark", "piece", 169, 7, "chilled", 40, "0.05", 500, False, "milch-kaese")),
        P(("Süßrahmbutter", "piece", 349, 7, "chilled", 35, "0.03", 250, False, "milch-kaese")),
        P(("Bergkäse am Stück", "piece", 590, 7, "chilled", 20, "0.03", 250, False, "milch-kaese")),
        P(("Frischkäse mit Kräutern", "piece", 299, 7, "chilled", 4, "0.03", 150, False, "milch-kaese")),
        P(("Sahne", "piece", 159, 7, "chilled", 25, "0.02", 200, False, "milch-kaese")),
        P(("Milchreis", "piece", 229, 7, "chilled", 15, "0.04", 400, False, "milch-kaese")),
        P(("Eiscreme Vanille", "piece", 650, 7, "frozen", 12, "0.1", 500, False, "tiefkuehl")),
    ]),
    ("Geflügelhof Klein", "Thür", "Freilandhühner und Eier aus mobilen Ställen.", [
        P(("Eier Freiland (10 Stück)", "piece", 390, 7, "ambient", 100, "0.1", None, False, "eier")),
        P(("Eier Bio (6 Stück)", "piece", 320, 7, "ambient", 60, "0.06", None, True, "eier")),
        P(("Eiernudeln", "500g", 380, 7, "ambient", 40, "0.05", None, False, "vorrat")),
        P(("Suppenhuhn", "piece", 1190, 7, "frozen", 10, "0.2", 1500, False, "tiefkuehl")),
        P(("Hähnchenbrust", "500g", 990, 7, "chilled", 3, "0.05", None, False, "fleisch-wurst")),
        P(("Hühnerfrikassee im Glas", "piece", 690, 7, "ambient", 25, "0.05", 400, False, "vorrat")),
        P(("Eierlikör", "piece", 1290, 19, "ambient", 15, "0.1", None, False, "getraenke")),
        P(("Hühnerbrühe", "litre", 450, 7, "chilled", 20, "0.1", None, False, "vorrat")),
        P(("Wachteleier (12 Stück)", "piece", 420, 7, "chilled", 8, "0.03", None, False, "eier")),
        P(("Gänsekeule", "piece", 1690, 7, "frozen", 6, "0.15", 600, False, "tiefkuehl")),
    ]),
    ("Metzgerei Bauer", "Polch", "Fleisch aus der Region, eigene Schlachtung, Wurst nach Hausrezept.", [
        P(("Rinderhackfleisch", "500g", 749, 7, "chilled", 25, "0.05", None, False, "fleisch-wurst")),
        P(("Schweineschnitzel", "500g", 699, 7, "chilled", 20, "0.05", None, False, "fleisch-wurst")),
        P(("Fleischwurst", "piece", 450, 7, "chilled", 30, "0.05", 400, False, "fleisch-wurst")),
        P(("Leberwurst im Glas", "piece", 390, 7, "ambient", 40, "0.04", 200, False, "fleisch-wurst")),
        P(("Bratwurst (4 Stück)", "piece", 599, 7, "chilled", 5, "0.05", 480, False, "fleisch-wurst")),
        P(("Schinken gekocht", "piece", 329, 7, "chilled", 35, "0.02", 150, False, "fleisch-wurst")),
        P(("Sauerbraten eingelegt", "kg", 1690, 7, "chilled", 8, "0.1", None, False, "fleisch-wurst")),
        P(("Rindergulasch", "500g", 899, 7, "frozen", 12, "0.05", None, False, "tiefkuehl")),
        P(("Mettwurst luftgetrocknet", "piece", 549, 7, "ambient", 2, "0.03", 250, False, "fleisch-wurst")),
        P(("Grillpaket", "piece", 2490, 7, "frozen", 6, "0.3", 2000, False, "tiefkuehl")),
    ]),
    ("Weingut Lenz", "Winningen", "Steillagen-Riesling von der Terrassenmosel.", [
        P(("Riesling trocken 0,75 l", "piece", 890, 19, "ambient", 120, "0.1", None, False, "getraenke")),
        P(("Riesling feinherb 0,75 l", "piece", 890, 19, "ambient", 90, "0.1", None, False, "getraenke")),
        P(("Spätburgunder Rosé 0,75 l", "piece", 950, 19, "ambient", 60, "0.1", None, False, "getraenke")),
        P(("Traubensaft rot 1 l", "litre", 450, 19, "ambient", 50, "0.12", None, True, "getraenke")),
        P(("Winzersekt brut 0,75 l", "piece", 1390, 19, "ambient", 30, "0.1", None, False, "getraenke")),
        P(("Weingelee", "piece", 490, 7, "ambient", 25, "0.03", 200, False, "honig-aufstriche")),
        P(("Tresterbrand 0,5 l", "piece", 2290, 19, "ambient", 4, "0.08", None, False, "getraenke")),
        P(("Riesling Auslese 0,5 l", "piece", 1890, 19, "ambient", 3, "0.07", None, False, "getraenke")),
        P(("Weinbergpfirsich-Likör", "piece", 1590, 19, "ambient", 10, "0.07", None, False, "getraenke")),
        P(("Secco weiß 0,75 l", "piece", 790, 19, "ambient", 40, "0.1", None, False, "getraenke")),
    ]),
    ("Imkerei Sonnenhang", "Alken", "Honig von Bienenvölkern an der Mosel.", [
        P(("Blütenhonig 500 g", "piece", 790, 7, "ambient", 60, "0.05", 500, False, "honig-aufstriche")),
        P(("Waldhonig 500 g", "piece", 890, 7, "ambient", 40, "0.05", 500, False, "honig-aufstriche")),
        P(("Rapshonig cremig 250 g", "piece", 490, 7, "ambient", 30, "0.03", 250, False, "honig-aufstriche")),
        P(("Honig mit Walnüssen", "piece", 690, 7, "ambient", 5, "0.03", 250, False, "honig-aufstriche")),
        P(("Bienenwachskerze", "piece", 850, 19, "ambient", 20, "0.05", None, False, "haushalt")),
        P(("Propolis-Tinktur", "piece", 1190, 19, "ambient", 10, "0.02", None, False, "haushalt")),
        P(("Met 0,5 l", "piece", 1090, 19, "ambient", 15, "0.07", None, False, "getraenke")),
        P(("Wachstücher (3 Stück)", "piece", 1490, 19, "ambient", 12, "0.02", None, False, "haushalt")),
        P(("Honigbonbons", "piece", 350, 7, "ambient", 50, "0.02", 100, False, "honig-aufstriche")),
        P(("Lindenhonig 500 g", "piece", 850, 7, "ambient", 1, "0.05", 500, False, "honig-aufstriche")),
    ]),
    ("Obsthof Becker", "Ochtendung", "Äpfel, Birnen und Säfte aus eigenen Streuobstwiesen.", [
        P(("Äpfel Boskoop", "kg", 290, 7, "ambient", 200, "0.1", None, False, "obst-gemuese")),
        P(("Äpfel Elstar", "kg", 320, 7, "ambient", 150, "0.1", None, True, "obst-gemuese")),
        P(("Birnen Conference", "kg", 350, 7, "ambient", 60, "0.1", None, False, "obst-gemuese")),
        P(("Apfelsaft naturtrüb 1 l", "litre", 290, 19, "ambient", 100, "0.12", None, False, "getraenke")),
        P(("Apfel-Quitte-Saft 1 l", "litre", 340, 19, "ambient", 40, "0.12", None, False, "getraenke")),
        P(("Apfelmus im Glas", "piece", 320, 7, "ambient", 50, "0.04", 360, False, "vorrat")),
        P(("Apfelchips", "piece", 390, 7, "ambient", 30, "0.02", 80, True, "vorrat")),
        P(("Quittengelee", "piece", 450, 7, "ambient", 2, "0.03", 200, False, "honig-aufstriche")),
        P(("Zwetschgen", "kg", 380, 7, "ambient", 0, "0.1", None, False, "obst-gemuese")),
        P(("Apfelessig 0,5 l", "piece", 480, 7, "ambient", 25, "0.06", None, False, "vorrat")),
    ]),
    ("Mühle Andernach", "Andernach", "Wassermühle am Rhein: Mehl, Grieß und Nudeln.", [
        P(("Weizenmehl Type 550", "kg", 180, 7, "ambient", 200, "0.1", None, False, "vorrat")),
        P(("Dinkelmehl Type 630", "kg", 290, 7, "ambient", 120, "0.1", None, True, "vorrat")),
        P(("Roggenvollkornmehl", "kg", 240, 7, "ambient", 80, "0.1", None, False, "vorrat")),
        P(("Haferflocken kernig", "500g", 190, 7, "ambient", 100, "0.05", None, True, "vorrat")),
        P(("Dinkelspätzle", "500g", 320, 7, "ambient", 60, "0.05", None, False, "vorrat")),
        P(("Bandnudeln", "500g", 290, 7, "ambient", 70, "0.05", None, False, "vorrat")),
        P(("Weizengrieß", "500g", 170, 7, "ambient", 4, "0.05", None, False, "vorrat")),
        P(("Backmischung Bauernbrot", "piece", 350, 7, "ambient", 30, "0.1", 1000, False, "vorrat")),
        P(("Müsli Rheintal", "500g", 450, 7, "ambient", 45, "0.06", None, False, "vorrat")),
        P(("Leinöl kaltgepresst 0,25 l", "piece", 590, 7, "chilled", 15, "0.03", None, True, "vorrat")),
    ]),
    ("Ziegenhof am Rhein", "Saffig", "Ziegenkäse und Ziegenmilch aus Hofhaltung.", [
        P(("Ziegenfrischkäse natur", "piece", 350, 7, "chilled", 30, "0.03", 150, False, "milch-kaese")),
        P(("Ziegenkäse mit Asche", "piece", 590, 7, "chilled", 15, "0.03", 200, False, "milch-kaese")),
        P(("Ziegenmilch", "litre", 280, 7, "chilled", 20, "0.1", None, False, "milch-kaese")),
        P(("Ziegenjoghurt", "piece", 260, 7, "chilled", 25, "0.04", 400, False, "milch-kaese")),
        P(("Ziegenmilchseife", "piece", 590, 19, "ambient", 40, "0.02", 100, False, "haushalt")),
        P(("Ziegensalami", "piece", 690, 7, "chilled", 3, "0.03", 200, False, "fleisch-wurst")),
        P(("Ziegenkäse-Taler gereift", "piece", 420, 7, "chilled", 18, "0.03", 120, False, "milch-kaese")),
        P(("Ziegenlammkeule", "kg", 2490, 7, "frozen", 4, "0.2", None, False, "tiefkuehl")),
        P(("Ziegenmilch-Eis Walnuss", "piece", 590, 7, "frozen", 10, "0.08", 350, False, "tiefkuehl")),
        P(("Käsekorb klein", "piece", 1990, 7, "chilled", 5, "0.2", 700, False, "milch-kaese")),
    ]),
    ("Gärtnerei Grünland", "Mülheim-Kärlich", "Gemüse, Kräuter und Blumen aus dem Gewächshaus.", [
        P(("Tomaten", "kg", 450, 7, "ambient", 60, "0.1", None, True, "obst-gemuese")),
        P(("Salatgurke", "piece", 99, 7, "ambient", 50, "0.05", 400, False, "obst-gemuese")),
        P(("Kopfsalat", "piece", 129, 7, "chilled", 40, "0.08", 350, False, "obst-gemuese")),
        P(("Basilikum im Topf", "piece", 249, 7, "ambient", 25, "0.08", None, True, "obst-gemuese")),
        P(("Schnittlauch", "bunch", 110, 7, "chilled", 30, "0.02", None, False, "obst-gemuese")),
        P(("Paprika bunt", "500g", 349, 7, "ambient", 35, "0.05", None, False, "obst-gemuese")),
        P(("Tulpen (10 Stück)", "bunch", 599, 7, "ambient", 20, "0.15", None, False, "haushalt")),
        P(("Feldblumenstrauß", "bunch", 1290, 7, "ambient", 2, "0.2", None, False, "haushalt")),
        P(("Radieschen", "bunch", 119, 7, "chilled", 45, "0.03", None, True, "obst-gemuese")),
        P(("Zucchini", "kg", 290, 7, "ambient", 30, "0.1", None, False, "obst-gemuese")),
    ]),
    ("Hofkäserei Vallendar", "Vallendar", "Rohmilchkäse aus dem Westerwald.", [
        P(("Westerwälder Bergkäse", "piece", 690, 7, "chilled", 25, "0.03", 250, False, "milch-kaese")),
        P(("Schnittkäse mild", "piece", 490, 7, "chilled", 30, "0.03", 250, False, "milch-kaese")),
        P(("Raclettekäse", "kg", 2290, 7, "chilled", 10, "0.1", None, False, "milch-kaese")),
        P(("Camembert", "piece", 390, 7, "chilled", 20, "0.03", 200, True, "milch-kaese")),
        P(("Butterkäse", "piece", 420, 7, "chilled", 4, "0.03", 250, False, "milch-kaese")),
        P(("Käsefondue-Mischung", "piece", 990, 7, "chilled", 8, "0.05", 400, False, "milch-kaese")),
        P(("Kräuterquark", "piece", 249, 7, "chilled", 20, "0.04", 250, False, "milch-kaese")),
        P(("Käsespätzle tiefgekühlt", "piece", 590, 7, "frozen", 15, "0.08", 600, False, "tiefkuehl")),
        P(("Molkedrink Mango", "piece", 189, 7, "chilled", 30, "0.05", None, False, "getraenke")),
        P(("Käsebrett Buche", "piece", 2490, 19, "ambient", 3, "0.1", None, False, "haushalt")),
    ]),
    ("Landbrauerei Bendorf", "Bendorf", "Kleine Brauerei mit Bieren und Limonaden.", [
        P(("Kellerbier 0,5 l", "piece", 189, 19, "ambient", 200, "0.05", None, False, "getraenke")),
        P(("Pils 0,33 l", "piece", 139, 19, "ambient", 240, "0.04", None, False, "getraenke")),
        P(("Weizen hell 0,5 l", "piece", 199, 19, "ambient", 150, "0.05", None, False, "getraenke")),
        P(("Zitronenlimonade 0,33 l", "piece", 149, 19, "ambient", 120, "0.04", None, False, "getraenke")),
        P(("Apfelschorle 0,5 l", "piece", 159, 19, "ambient", 100, "0.05", None, False, "getraenke")),
        P(("Bierbrot", "piece", 490, 7, "ambient", None, "0.12", 750, False, "brot-backwaren")),
        P(("Bier-Senf", "piece", 350, 7, "ambient", 30, "0.02", 200, False, "vorrat")),
        P(("Malzbier 0,33 l", "piece", 129, 19, "ambient", 4, "0.04", None, False, "getraenke")),
        P(("Bockbier 0,5 l", "piece", 249, 19, "ambient", 60, "0.05", None, False, "getraenke")),
        P(("Braumeister-Kasten (20 × 0,5 l)", "piece", 2290, 19, "ambient", 25, "1", None, False, "getraenke")),
    ]),
    ("Hof Wagner Nickenich", "Nickenich", "Kartoffeln, Spargel und Erdbeeren am Laacher See.", [
        P(("Spargel weiß", "500g", 790, 7, "chilled", 30, "0.05", None, False, "obst-gemuese")),
        P(("Erdbeeren", "500g", 450, 7, "chilled", 40, "0.06", None, False, "obst-gemuese")),
        P(("Frühkartoffeln", "kg", 290, 7, "ambient", 150, "0.1", None, False, "obst-gemuese")),
        P(("Erdbeermarmelade", "piece", 420, 7, "ambient", 35, "0.03", 250, False, "honig-aufstriche")),
        P(("Kartoffelsalat", "500g", 490, 7, "chilled", 20, "0.05", None, False, "vorrat")),
        P(("Rhabarber", "kg", 390, 7, "ambient", 5, "0.1", None, False, "obst-gemuese")),
        P(("Spargelcremesuppe im Glas", "piece", 550, 7, "ambient", 25, "0.05", 500, False, "vorrat")),
        P(("Pommes frites tiefgekühlt", "kg", 390, 7, "frozen", 20, "0.1", None, False, "tiefkuehl")),
        P(("Erdbeer-Sorbet", "piece", 550, 7, "frozen", 3, "0.08", 500, False, "tiefkuehl")),
        P(("Kartoffelpuffer tiefgekühlt", "piece", 450, 7, "frozen", 15, "0.06", 600, False, "tiefkuehl")),
    ]),
]

# Parcel stations: (name, place, street, [(size, temperature, count), …])
STATIONS = [
    ("Paketstation Mayen Marktplatz", "Mayen", "Marktplatz 3",
     [("S", "ambient", 12), ("M", "ambient", 10), ("L", "ambient", 4), ("M", "chilled", 6), ("S", "frozen", 2)]),
    ("Paketstation Mendig Bahnhof", "Mendig", "Bahnhofstraße 12",
     [("S", "ambient", 8), ("M", "ambient", 6), ("L", "ambient", 2), ("M", "chilled", 4)]),
    ("Paketstation Polch Rathaus", "Polch", "Ostergasse 1",
     [("S", "ambient", 10), ("M", "ambient", 8), ("L", "ambient", 4), ("S", "chilled", 4), ("M", "chilled", 4)]),
    ("Paketstation Münstermaifeld", "Münstermaifeld", "Obertorstraße 5",
     [("S", "ambient", 6), ("M", "ambient", 4), ("L", "ambient", 2)]),
    ("Paketstation Andernach Mitte", "Andernach", "Läufstraße 11",
     [("S", "ambient", 14), ("M", "ambient", 12), ("L", "ambient", 6), ("M", "chilled", 6), ("S", "frozen", 2)]),
    ("Paketstation Plaidt", "Plaidt", "Hauptstraße 40",
     [("S", "ambient", 6), ("M", "ambient", 6), ("M", "chilled", 4)]),
    ("Paketstation Vallendar", "Vallendar", "Heerstraße 50",
     [("S", "ambient", 8), ("M", "ambient", 6), ("L", "ambient", 2), ("M", "chilled", 4)]),
]

WEEKDAY_HOURS = [(d, "08:00", "12:30") for d in (1, 2, 3, 4, 5)] + [(d, "14:30", "18:00") for d in (1, 2, 4, 5)] + [(6, "08:00", "12:00")]
OFFICE_HOURS = [(d, "09:00", "12:00") for d in (1, 2, 3, 4, 5)] + [(d, "14:00", "17:00") for d in (2, 4)]

# Sales points: (name, place, street, chilled shelf, hours, contact)
SALES_POINTS = [
    ("Dorfladen Kehrig", "Kehrig", "Hauptstraße 14", True, WEEKDAY_HOURS, "Renate Klein"),
    ("Dorfbüro Monreal", "Monreal", "Untertor 2", False, OFFICE_HOURS, "Thomas Pütz"),
    ("Dorfladen Ochtendung", "Ochtendung", "Raiffeisenplatz 4", True, WEEKDAY_HOURS, "Sabine Zenz"),
    ("Bürgerhaus Alken", "Alken", "Moselstraße 8", False, OFFICE_HOURS, "Peter Hammes"),
    ("Dorfladen Kruft", "Kruft", "Kirchstraße 7", True, WEEKDAY_HOURS, "Andrea Schäfer"),
    ("Gemeindezentrum Saffig", "Saffig", "Schloßstraße 3", False, OFFICE_HOURS, "Martin Groß"),
    ("Dorfladen Urbar", "Urbar", "Rheinstraße 22", True, WEEKDAY_HOURS, "Elke Jung"),
]

DEMO_PASSWORD = "landkorb-demo"
FIRST_NAMES = ["Anna", "Karl", "Gisela", "Heinz", "Maria", "Josef", "Ursula", "Franz", "Helga",
               "Werner", "Inge", "Jürgen", "Monika", "Klaus", "Elisabeth", "Dieter", "Lena", "Paul"]
LAST_NAMES = ["Müller", "Schmitz", "Weber", "Schneider", "Fischer", "Becker", "Hoffmann", "Schäfer",
              "Koch", "Bauer", "Richter", "Klein", "Wolf", "Neumann", "Zimmermann", "Krämer"]
STREETS = ["Hauptstraße", "Kirchstraße", "Schulstraße", "Bergstraße", "Gartenstraße",
           "Lindenstraße", "Wiesenweg", "Am Bach", "Mühlenweg", "Bahnhofstraße"]

# Demo staff per sub-region: (coordinator, driver). Eifel keeps the short addresses
# coordinator@ and driver@example.org; the others are coordinator-<slug>@ and driver-<slug>@.
STAFF = {
    "Eifel": ("Claudia Ko", "Dennis Fahr"),
    "Maifeld-Mosel": ("Martina Hennes", "Stefan Kreuter"),
    "Pellenz-Rhein": ("Birgit Mertes", "Markus Weiler"),
    "Rhein-Westerwald": ("Thomas Krämer", "Jana Kurz"),
}

# The living demo: residents of each sub-region (bewohner-<slug>-NN@example.org, generated from
# the names above in the sub-region's villages) and their orders on each demo delivery day.
RESIDENTS_PER_SUB_REGION = 24
ORDERS_PER_DAY = 20
