"""Generate ``store_reviews.csv``: a synthetic online-store review log for segkit.

Every review, template and phrase below was written for this file; nothing is copied
from an outside dataset. The script uses only numpy and pandas, needs no network and
is fully deterministic (fixed seed), so re-running it reproduces the CSV byte for byte.

    python sample_data/generate_sample.py            # writes sample_data/store_reviews.csv
    python sample_data/generate_sample.py -o out.csv  # somewhere else

Design in short:

* About 2,000 users, each drawn into one of six hidden segments (``true_segment``) with
  unequal sizes. A user's behavioural traits (age, annual spend, orders per year,
  membership, region) are drawn once from segment-specific distributions that overlap.
* Each user writes 1-6 reviews (mean ~3). A review is assembled from an optional
  opener, 1-3 topic sentences, an optional "about me" detail, an optional generic
  store phrase shared by all segments and an optional closer. Sentences are templates
  with slots filled from phrase pools, so exact duplicates are rare.
* About 10% of reviews are about the user's secondary interest (another segment's
  topic); some topic sentences sit on the border of two segments (fitness trackers,
  kids' clothes vs fashion, ...) so the segments overlap realistically.
* A little mess: ~1% empty texts, some emoji, quotes, commas and embedded newlines,
  a few users who write in lower case.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20241124
N_USERS = 2000
OFF_TOPIC_RATE = 0.10
EMPTY_TEXT_RATE = 0.01
EMOJI_RATE = 0.02
NEWLINE_RATE = 0.01
QUOTE_RATE = 0.015
MIN_WORDS, MAX_WORDS = 10, 52
REVIEWS_PER_USER = (np.arange(1, 7), np.array([0.15, 0.22, 0.25, 0.18, 0.12, 0.08]))
REGIONS = ["North", "South", "East", "West", "Central"]
MEMBERSHIPS = ["none", "silver", "gold"]

# --------------------------------------------------------------------------------------
# Shared phrase pools (used by every segment)
# --------------------------------------------------------------------------------------

SHARED_SLOTS: dict[str, list[str]] = {
    "n_small": ["two", "three", "four", "five", "six"],
    "n_weeks": ["two", "three", "four", "six", "eight"],
    "n_wash": ["3", "5", "10", "15", "20", "30"],
    "days": ["two", "three", "four", "five", "six", "ten"],
}

GENERIC_POS = [
    "Fast shipping.",
    "Fast shipping, arrived a day early.",
    "Would buy again.",
    "Would definitely buy again.",
    "Arrived well packaged.",
    "Exactly as described.",
    "Good value for the money.",
    "Delivery was quick and the box was in perfect condition.",
    "Easy checkout and the tracking was accurate.",
    "Matches the photos on the website.",
    "No complaints at all.",
    "Happy with this purchase.",
    "Five stars from me.",
    "Recommended.",
]
GENERIC_NEG = [
    "Arrived late.",
    "Arrived {days} days late.",
    "The box was damaged when it arrived.",
    "Customer service was slow to reply.",
    "Not worth the price.",
    "Returning it.",
    "Return process was a hassle.",
    "Would not buy again.",
    "Does not match the photos on the website.",
    "Delivery took forever.",
    "Disappointed overall.",
    "Had to chase the courier twice.",
]
GENERIC_MIXED = [
    "Shipping was fast but the packaging was flimsy.",
    "It's okay for the price.",
    "Not bad, not great.",
    "Does the job, nothing special.",
    "Arrived late but customer service sorted it out.",
    "Decent, though I expected a bit more.",
    "Three stars, might still buy again in a sale.",
]
CLOSERS = [
    "Thanks!",
    "Will update after a few more weeks.",
    "Hope this helps someone.",
    "Just my two cents.",
    "That's all.",
    "Update to follow.",
]

EMOJI_POS = ["😍", "👍", "🙌", "✨", "😊", "💯", "❤️", "🔥"]
EMOJI_NEG = ["😡", "👎", "😞", "🙄", "😤", "💔"]
EMOJI_MIXED = ["🤷", "😐", "🤔"]

# --------------------------------------------------------------------------------------
# Segments
# --------------------------------------------------------------------------------------
# Each segment has: weight, categories (with probabilities), slots, openers per
# sentiment, pos/neg topic sentences, "about me" details, tone (P(pos), P(neg)) and
# behavioural distributions. Templates use {slot} names from the segment's slots or
# SHARED_SLOTS; a capitalised slot ({Kid}) capitalises the filled value.

SEGMENTS: dict[str, dict] = {
    "budget_families": {
        "weight": 0.23,
        "quote_words": ["durable", "machine washable", "one size", "value pack", "kid proof"],
        "categories": {"Kids & Baby": 0.6, "Clothing": 0.25, "Toys": 0.15},
        "tone": (0.50, 0.35),
        "slots": {
            "kid": [
                "my son",
                "my daughter",
                "our toddler",
                "the kids",
                "my 6 year old",
                "my twins",
                "our youngest",
                "my 9 year old",
                "my eldest",
                "the little one",
            ],
            "kid_item": [
                "school shoes",
                "rain jacket",
                "pajamas",
                "leggings",
                "school backpack",
                "winter coat",
                "hoodie",
                "kids socks",
                "jeans",
                "school uniform",
                "sneakers",
                "snow boots",
                "swimsuit",
                "fleece",
                "school polo shirts",
            ],
            "kid_wear": [
                "pajamas",
                "leggings",
                "hoodie",
                "baby onesies",
                "kids socks",
                "jeans",
                "school uniform",
                "t-shirts",
                "school polo shirts",
                "fleece",
                "joggers",
            ],
            "age_size": ["age 4-5", "age 6-7", "age 8-9", "age 10-11", "size 12-18 months"],
            "price": ["40", "50", "60", "75", "80", "100"],
            "place": ["the playground", "daycare", "the park", "recess", "football practice"],
        },
        "openers": {
            "pos": [
                "Great buy for the family.",
                "Budget friendly and practical.",
                "Mom of three here.",
                "Dad review:",
                "Another bulk order for the kids.",
                "Cheap and cheerful.",
                "Bargain!",
                "Good value for a busy household.",
            ],
            "neg": [
                "Not impressed for a kids item.",
                "Expected better even at this price.",
                "Mom of three here, and this one let us down.",
                "Cheap for a reason.",
                "Honestly a waste of our budget.",
            ],
            "mixed": [
                "Okay for the money.",
                "Mixed feelings as a parent.",
                "Fine for kids who grow fast.",
            ],
        },
        "pos": [
            "{Kid} has worn the {kid_wear} nearly every day, still fine after {n_wash} washes.",
            "For the price you really can't beat it, we bought {n_small} so each kid has one.",
            "Sizes run true, ordered the {age_size} and it fits {kid} with room to grow.",
            "Cheap enough that I don't mind when it gets muddy at {place}.",
            "Used the discount code and got the whole back to school haul for under ${price}.",
            "Good value multipack, the {kid_wear} survived {place}, grass stains and the wash.",
            "Bought in the sale, {kid} loves the colours and it was half what the mall charges.",
            "No point paying more when they outgrow it in six months, this does the job.",
            "Durable and affordable, the {kid_item} will get handed down to {kid} next year.",
            "The coupon plus free shipping made it a real bargain for a family budget.",
            "Easy to wash, dries quickly and {kid} can put it on without help.",
            "Got {n_small} {kid_wear} for the price of one at the department store.",
            "{Kid} wore the {kid_item} to {place} all week and it still looks new.",
            "Sturdy enough for {kid}, and cheap enough to buy a spare.",
        ],
        "neg": [
            "The {kid_wear} fell apart after {n_wash} washes, {kid} only wore it a few times.",
            "Seams came undone within a month, cheap is cheap I guess.",
            "Sizing is all over the place, the {age_size} was tiny on {kid}.",
            "Colour faded in the wash and the {kid_wear} looks old now, poor for school.",
            "Zip broke on day two, had to sew it myself, not great value after all.",
            "Price went up since last time, it used to be a bargain for families like ours.",
            "Velcro stopped sticking after a couple of weeks at {place}.",
            "Holes in the knees after {n_weeks} weeks, kids are rough but come on.",
            "The multipack had {n_small} different sizes in it, useless for a busy parent.",
            "{Kid} refused to wear the {kid_item} because it was scratchy, money wasted.",
            "The {kid_item} shrank a whole size in the first wash.",
        ],
        "detail": [
            "We have three kids under ten so everything gets handed down.",
            "With {n_small} kids I buy almost everything on discount.",
            "Shopping on a tight family budget this year.",
            "I buy school clothes in bulk every August.",
            "Our kids go through shoes like crazy.",
        ],
        "behaviour": {
            "age": (38, 6),
            "spend": (900, 0.45),
            "orders": 15,
            "membership": [0.45, 0.42, 0.13],
            "region": [0.18, 0.24, 0.18, 0.16, 0.24],
        },
    },
    "outdoor_athletes": {
        "weight": 0.19,
        "quote_words": ["waterproof", "breathable", "ultralight", "all terrain", "four season"],
        "categories": {"Sports & Outdoors": 0.8, "Shoes": 0.2},
        "tone": (0.60, 0.25),
        "slots": {
            "gear": [
                "trail shoes",
                "hiking boots",
                "rain shell",
                "tent",
                "sleeping bag",
                "trekking poles",
                "running vest",
                "headlamp",
                "hydration pack",
                "base layer",
                "climbing harness",
                "bike gloves",
                "running shorts",
                "down jacket",
            ],
            "activity": [
                "a 20 km trail run",
                "a three day hike",
                "a muddy ultra",
                "a weekend in the Alps",
                "a wet camping trip",
                "hill repeats",
                "a century ride",
                "a summit push",
                "a marathon training block",
                "a multi-day trek",
            ],
            "cond": [
                "in the rain",
                "in freezing wind",
                "on rocky scree",
                "in heavy mud",
                "at altitude",
                "in a summer heatwave",
                "on icy trails",
            ],
            "n_km": ["100", "200", "300", "400", "500"],
        },
        "openers": {
            "pos": [
                "Serious bit of kit.",
                "Tested properly before reviewing.",
                "Trail approved.",
                "Love it for training.",
                "Solid performance.",
                "Finally, proper gear.",
            ],
            "neg": [
                "Not up to real outdoor use.",
                "Failed me on the trail.",
                "Looks technical, performs poorly.",
                "Gave up on it after testing.",
            ],
            "mixed": ["Decent for casual use.", "Mixed results on the trail."],
        },
        "pos": [
            "Took the {gear} on {activity} and it performed flawlessly {cond}.",
            "Grip on wet rock is excellent and my feet stayed dry the whole way.",
            "Lightweight, packs down small and breathes well on steep climbs.",
            "Finally a {gear} that stays put when I'm running downhill.",
            "Put {n_km} km on them already and the cushioning still feels fresh.",
            "Waterproofing held up in a proper downpour, no leaks at the seams.",
            "Kept me warm {cond} without overheating on the climbs.",
            "Great traction and stability, my pace on technical descents improved.",
            "The {gear} is tough, survived {activity} without a scratch.",
            "Comfortable straight out of the box, no blisters after {activity}.",
            "Used the {gear} on {activity} {cond} and never once thought about it, ideal.",
            "Light on the back, stable on descents and fast to pitch at camp.",
        ],
        "neg": [
            "The {gear} leaked {cond}, not acceptable for serious outdoor use.",
            "Sole delaminated after {n_km} km of trail, expected more durability.",
            "Too heavy for fast packing, I swapped back to my old kit.",
            "Chafed badly on {activity}, the stitching is in the wrong place.",
            "Claims to be breathable but I was soaked in sweat on the first climb.",
            "Zero grip {cond}, slipped twice on the descent.",
            "Straps loosen while running and the {gear} bounces around.",
            "Poles collapsed under load halfway through {activity}.",
            "The {gear} ripped on the first bushwhack of {activity}.",
            "Lost all insulation {cond}, I was shivering by the summit.",
        ],
        "detail": [
            "I run about 60 km a week, mostly trails.",
            "Training for my first ultra this autumn.",
            "I hike most weekends in all weather.",
            "Been climbing and camping for over ten years.",
            "I cycle to work and ride long on Sundays.",
        ],
        "behaviour": {
            "age": (33, 8),
            "spend": (1400, 0.45),
            "orders": 9,
            "membership": [0.40, 0.40, 0.20],
            "region": [0.30, 0.12, 0.16, 0.30, 0.12],
        },
    },
    "tech_enthusiasts": {
        "weight": 0.21,
        "quote_words": ["fast charging", "all day battery", "plug and play", "smart", "premium"],
        "categories": {"Electronics": 0.7, "Computers & Accessories": 0.3},
        "tone": (0.45, 0.40),
        "slots": {
            "gadget": [
                "wireless earbuds",
                "smartwatch",
                "power bank",
                "mechanical keyboard",
                "USB-C hub",
                "webcam",
                "smart plug",
                "noise cancelling headphones",
                "portable SSD",
                "gaming mouse",
                "robot vacuum",
                "tablet",
                "mesh router",
                "e-reader",
            ],
            "hours": ["6", "8", "10", "20", "30", "40"],
            "device": [
                "my iPhone",
                "a Pixel",
                "my Windows laptop",
                "a MacBook",
                "my Android",
                "Linux",
            ],
        },
        "openers": {
            "pos": [
                "Nerd review incoming.",
                "Impressed with the specs.",
                "Tech upgrade done right.",
                "After a week of testing:",
                "Quick verdict, it's good.",
            ],
            "neg": [
                "Frustrating piece of tech.",
                "Spec sheet lies.",
                "Buggy out of the box.",
                "After a week of testing, no.",
                "Avoid this one.",
            ],
            "mixed": ["Good hardware, weak software.", "Mostly works, some quirks."],
        },
        "pos": [
            "Setup took five minutes, the app found the {gadget} straight away over Bluetooth.",
            "Battery easily lasts {hours} hours, which beats the spec sheet.",
            "Firmware update fixed the pairing issue and now it's rock solid.",
            "USB-C fast charging is a game changer, full battery in under an hour.",
            "Latency is low enough for gaming and the build quality feels premium.",
            "Pairs instantly with {device}, no drivers needed.",
            "The {gadget} has great connectivity and the companion app is actually useful.",
            "Transfer speeds match the benchmark and it stays cool under load.",
            "Solid firmware, regular updates and the battery indicator is accurate.",
            "The {gadget} works flawlessly with {device} and the battery lasts {hours} hours.",
            "Crisp audio, solid Bluetooth range and the charging case is tiny.",
        ],
        "neg": [
            "Battery drains overnight even in standby, barely {hours} hours of real use.",
            "The companion app keeps crashing and won't connect to my Wi-Fi.",
            "Setup was a nightmare, had to factory reset the {gadget} three times.",
            "Bluetooth drops every few minutes, the firmware update did nothing.",
            "Gets hot while charging and the cable is too short.",
            "Doesn't work with {device} despite what the listing says.",
            "Software is laggy and the {gadget} needs a cloud account just to set up.",
            "Charging port is loose, the USB-C cable falls out.",
            "The {gadget} stopped charging after {n_weeks} weeks, support wants a video of it.",
            "Constant disconnects with {device}, and the app asks for way too many permissions.",
        ],
        "detail": [
            "Using it with {device}.",
            "I review a lot of gadgets and this is my honest take.",
            "Replaced an older {gadget} with this one.",
            "I work in IT so I tested it properly.",
        ],
        "behaviour": {
            "age": (30, 7),
            "spend": (1700, 0.45),
            "orders": 10,
            "membership": [0.40, 0.35, 0.25],
            "region": [0.16, 0.14, 0.28, 0.16, 0.26],
        },
    },
    "beauty_lovers": {
        "weight": 0.14,
        "quote_words": ["hypoallergenic", "long wear", "non-comedogenic", "clean beauty", "glow"],
        "categories": {"Beauty & Personal Care": 0.85, "Health": 0.15},
        "tone": (0.70, 0.20),
        "slots": {
            "beauty_item": [
                "vitamin C serum",
                "night cream",
                "SPF 50 sunscreen",
                "hyaluronic moisturizer",
                "cleansing balm",
                "retinol serum",
                "clay mask",
                "toner",
                "eye cream",
                "face oil",
                "peptide cream",
                "niacinamide serum",
                "sheet mask",
            ],
            "makeup": [
                "foundation",
                "concealer",
                "tinted moisturiser",
                "skin tint",
                "cream blush",
                "BB cream",
                "setting powder",
            ],
            "skin": [
                "dry skin",
                "oily skin",
                "combination skin",
                "sensitive skin",
                "acne prone skin",
            ],
        },
        "openers": {
            "pos": [
                "Obsessed!",
                "Holy grail alert!",
                "My new favourite!",
                "Skincare junkie approved!",
                "Love love love!",
                "Wow!",
            ],
            "neg": [
                "Sadly not for me.",
                "So disappointed.",
                "Skincare fail.",
                "Wanted to love it.",
            ],
            "mixed": ["It's fine, not a holy grail.", "Nice but overhyped."],
        },
        "pos": [
            "My {skin} absolutely loves this {beauty_item}, glowing after a week!",
            "Absorbs quickly, no greasy residue and the scent is so subtle.",
            "The {makeup} shade matched perfectly and lasted all day without creasing.",
            "My pores look smaller and my complexion is so much brighter!",
            "Gentle enough for {skin}, no breakouts and no redness.",
            "The {beauty_item} layers beautifully under {makeup}, skin feels plump and hydrated.",
            "Already on my second bottle, it's now part of my morning routine.",
            "The texture is silky and a little goes a long way.",
            "Dewy finish without being sticky, perfect for {skin}.",
            "This {beauty_item} cleared up my {skin} in {n_weeks} weeks, I'm in love!",
            "Lightweight {makeup} that looks like real skin, my new everyday glow!",
        ],
        "neg": [
            "Broke me out within two days, not for {skin}.",
            "The fragrance is overpowering and it stung around my eyes.",
            "Pilled under makeup and left a white cast.",
            "Tiny bottle for the price, the {beauty_item} lasted barely {n_weeks} weeks.",
            "The {makeup} shade was way too orange for my skin tone.",
            "Made my {skin} feel tight and flaky.",
            "Smells like plastic and the pump stopped working.",
            "The {beauty_item} made my {skin} itchy and red around the nose.",
            "Oxidised on my face within an hour, the {makeup} turned patchy.",
        ],
        "detail": [
            "My routine is cleanser, toner, serum then SPF.",
            "I have {skin} and I'm picky about ingredients.",
            "Been testing skincare for years.",
            "I only buy cruelty free makeup.",
        ],
        "behaviour": {
            "age": (31, 8),
            "spend": (1100, 0.45),
            "orders": 16,
            "membership": [0.35, 0.45, 0.20],
            "region": [0.18, 0.22, 0.22, 0.18, 0.20],
        },
    },
    "home_cooks": {
        "weight": 0.14,
        "quote_words": [
            "non-stick",
            "dishwasher safe",
            "professional grade",
            "lifetime",
            "even heat",
        ],
        "categories": {"Home & Kitchen": 0.8, "Grocery": 0.2},
        "tone": (0.60, 0.25),
        "slots": {
            "kitchen_item": [
                "cast iron skillet",
                "chef's knife",
                "stand mixer",
                "dutch oven",
                "nonstick pan",
                "blender",
                "air fryer",
                "spice rack",
                "cutting board",
                "pressure cooker",
                "stock pot",
                "loaf tin",
                "food processor",
                "saucepan set",
            ],
            "dish": [
                "sourdough",
                "a Sunday roast",
                "risotto",
                "a stir fry",
                "banana bread",
                "beef stew",
                "pancakes",
                "a curry",
                "homemade pasta",
                "soup",
                "roast vegetables",
            ],
        },
        "openers": {
            "pos": [
                "A real pleasure to cook with.",
                "Well made kitchen tool.",
                "Keen home cook here.",
                "Excellent quality.",
                "Lovely addition to my kitchen.",
            ],
            "neg": [
                "Poor quality for the kitchen.",
                "Not what I hoped for.",
                "Disappointing after years of cooking.",
            ],
            "mixed": ["Adequate for everyday cooking.", "Works, with caveats."],
        },
        "pos": [
            "Made {dish} in the {kitchen_item} last night, it cooked evenly with no hot spots.",
            "Heats up fast, sears beautifully and cleans up with just warm water.",
            "The blade is razor sharp and slices tomatoes paper thin.",
            "Solid and heavy, feels like it will last for decades in my kitchen.",
            "Makes weeknight dinners so much easier, I use it for {dish} every week.",
            "The {kitchen_item} is sturdy, dishwasher safe and stores neatly in the cupboard.",
            "Perfect for batch cooking and freezing portions of {dish}.",
            "Holds heat well, my {dish} has never turned out better.",
            "Whipped up {dish} for the whole family, the {kitchen_item} made it effortless.",
            "Well balanced, comfortable grip and easy to clean after making {dish}.",
        ],
        "neg": [
            "Coating started peeling after a few weeks and now food sticks.",
            "Handle gets too hot on the stove and the lid doesn't fit snugly.",
            "Motor struggled with bread dough and smelled of burning.",
            "Rusted after the first wash even though I dried it straight away.",
            "Too small to cook {dish} for a family of four.",
            "The {kitchen_item} warped on the hob the first time I used it.",
            "Blade went dull within {n_weeks} weeks of normal chopping.",
            "My {dish} burned on the bottom because the {kitchen_item} heats so unevenly.",
            "The {kitchen_item} is flimsy and wobbles on the worktop.",
        ],
        "detail": [
            "I cook for a family of five most nights.",
            "Retired and baking more than ever.",
            "I bake bread every weekend.",
            "Cooking from scratch is my hobby.",
            "Replacing a {kitchen_item} I had for twenty years.",
        ],
        "behaviour": {
            "age": (48, 10),
            "spend": (1000, 0.45),
            "orders": 9,
            "membership": [0.45, 0.35, 0.20],
            "region": [0.22, 0.26, 0.18, 0.16, 0.18],
        },
    },
    "fashion_luxury": {
        "weight": 0.09,
        "quote_words": ["luxury", "100% silk", "genuine leather", "true to size", "tailored fit"],
        "categories": {"Clothing": 0.5, "Shoes": 0.2, "Jewelry & Accessories": 0.3},
        "tone": (0.55, 0.30),
        "slots": {
            "fashion_item": [
                "silk blouse",
                "wool coat",
                "leather handbag",
                "cashmere sweater",
                "tailored blazer",
                "ankle boots",
                "midi dress",
                "designer sunglasses",
                "gold hoops",
                "linen trousers",
                "silk scarf",
                "trench coat",
            ],
            "occasion": [
                "a wedding",
                "the office",
                "date night",
                "a gallery opening",
                "brunch",
                "a work dinner",
                "a cocktail party",
            ],
            "eu_size": ["36", "38", "40", "42"],
        },
        "openers": {
            "pos": [
                "Absolutely stunning.",
                "So chic.",
                "Investment piece.",
                "Elegant and timeless.",
                "Style win.",
            ],
            "neg": ["Not luxury quality.", "Expected far more at this price point.", "Style fail."],
            "mixed": ["Pretty, but overpriced.", "Nice design, questionable quality."],
        },
        "pos": [
            "The {fashion_item} drapes beautifully and the fabric feels luxurious.",
            "Fit is impeccable, true to size and flattering on the waist.",
            "Wore it to {occasion} and got so many compliments, very chic.",
            "Elegant tailoring, the stitching and lining are high end quality.",
            "Timeless piece, worth every penny for the craftsmanship.",
            "The {fashion_item} pairs perfectly with heels or loafers, effortlessly stylish.",
            "Ordered my usual EU {eu_size} and the cut is sleek and polished.",
            "Feels like a designer label at a fraction of boutique prices.",
            "The {fashion_item} looks expensive, the colour is rich and the cut is modern.",
            "Styled the {fashion_item} for {occasion} and felt incredibly elegant.",
        ],
        "neg": [
            "Fabric felt cheap for a designer price and the seams were uneven.",
            "Cut is unflattering, boxy in the shoulders and too long in the sleeve.",
            "The leather scuffed the first time I wore it to {occasion}.",
            "Colour looks nothing like the photos, more mustard than camel.",
            "Beautiful packaging but the {fashion_item} had a loose thread and a pulled hem.",
            "Runs small, the EU {eu_size} was tight across the shoulders.",
            "Gold plating tarnished after {n_weeks} weeks, not what I expect from luxury.",
            "The {fashion_item} creased terribly after one wear at {occasion}.",
            "Stitching on the {fashion_item} came loose, poor finishing for a premium brand.",
        ],
        "detail": [
            "I follow fashion closely and care about fit.",
            "I usually wear an EU {eu_size} in designer brands.",
            "Building a capsule wardrobe this season.",
            "I shop for quality over quantity.",
        ],
        "behaviour": {
            "age": (36, 9),
            "spend": (2800, 0.5),
            "orders": 12,
            "membership": [0.20, 0.35, 0.45],
            "region": [0.16, 0.14, 0.20, 0.18, 0.32],
        },
    },
}

# Sentences on the border of two segments; used by either with some probability so the
# segments overlap in vocabulary (e.g. fitness trackers are both tech and sport).
BRIDGES: dict[frozenset, dict[str, list[str]]] = {
    frozenset({"tech_enthusiasts", "outdoor_athletes"}): {
        "pos": [
            "The GPS watch tracks my runs accurately and the battery lasts a full week.",
            "Heart rate sensor syncs to the app after every workout, very handy.",
        ],
        "neg": [
            "The fitness tracker lost GPS signal halfway through my run.",
            "Sports watch battery dies after two long rides, then needs charging.",
        ],
    },
    frozenset({"budget_families", "fashion_luxury"}): {
        "pos": [
            "The fabric is soft, fits true to size and the colour is lovely.",
            "Nice cut and a good fit, looks more expensive than it is.",
        ],
        "neg": [
            "Fabric pilled after a few washes and the fit was off.",
            "Runs small, had to size up and exchange it.",
        ],
    },
    frozenset({"beauty_lovers", "outdoor_athletes"}): {
        "pos": [
            "The sunscreen stays on through sweat and doesn't sting my eyes.",
            "Great lip balm for windy days outdoors.",
        ],
        "neg": ["Sweat-proof my foot, the sunscreen ran into my eyes after ten minutes."],
    },
    frozenset({"home_cooks", "budget_families"}): {
        "pos": [
            "Makes quick healthy meals for the kids, and it was on offer.",
            "Cheap lunch boxes that go in the dishwasher, great for packed lunches.",
        ],
        "neg": ["The kids' plastic plates cracked in the dishwasher within a month."],
    },
    frozenset({"tech_enthusiasts", "home_cooks"}): {
        "pos": ["The smart kettle connects to the app and boils water on schedule."],
        "neg": ["The smart air fryer needs Wi-Fi just to use the timer, silly."],
    },
    frozenset({"beauty_lovers", "fashion_luxury"}): {
        "pos": [
            "Gorgeous packaging, feels really luxurious and makes a lovely gift.",
            "Chic design and the colour suits my style perfectly.",
        ],
        "neg": ["Looks luxe in the photos but feels cheap in person."],
    },
}
BRIDGE_RATE = 0.12

# Secondary interest used for the ~10% off-topic reviews (a plausible neighbour).
SECONDARY: dict[str, dict[str, float]] = {
    "budget_families": {
        "home_cooks": 0.35,
        "fashion_luxury": 0.15,
        "tech_enthusiasts": 0.2,
        "beauty_lovers": 0.15,
        "outdoor_athletes": 0.15,
    },
    "outdoor_athletes": {
        "tech_enthusiasts": 0.35,
        "home_cooks": 0.2,
        "beauty_lovers": 0.1,
        "budget_families": 0.2,
        "fashion_luxury": 0.15,
    },
    "tech_enthusiasts": {
        "outdoor_athletes": 0.35,
        "home_cooks": 0.25,
        "budget_families": 0.15,
        "fashion_luxury": 0.1,
        "beauty_lovers": 0.15,
    },
    "beauty_lovers": {
        "fashion_luxury": 0.4,
        "home_cooks": 0.15,
        "budget_families": 0.15,
        "outdoor_athletes": 0.15,
        "tech_enthusiasts": 0.15,
    },
    "home_cooks": {
        "budget_families": 0.35,
        "tech_enthusiasts": 0.2,
        "beauty_lovers": 0.15,
        "outdoor_athletes": 0.15,
        "fashion_luxury": 0.15,
    },
    "fashion_luxury": {
        "beauty_lovers": 0.45,
        "tech_enthusiasts": 0.15,
        "home_cooks": 0.15,
        "outdoor_athletes": 0.1,
        "budget_families": 0.15,
    },
}

SLOT_RE = re.compile(r"\{(\w+)\}")

# Light paraphrasing: each occurrence of a key may be swapped for an alternative, so the
# same template reads a little differently from one user to the next.
SYNONYMS: dict[str, list[str]] = {
    "great": ["brilliant", "fantastic", "really good"],
    "excellent": ["superb", "outstanding", "fantastic"],
    "really": ["genuinely", "truly", "honestly"],
    "perfect": ["ideal", "spot on"],
    "perfectly": ["spot on", "flawlessly"],
    "lovely": ["beautiful", "gorgeous"],
    "beautifully": ["wonderfully", "gorgeously"],
    "disappointed": ["let down", "gutted"],
    "disappointing": ["underwhelming", "a letdown"],
    "quickly": ["fast", "in seconds"],
    "fast": ["quick", "speedy"],
    "nightmare": ["pain", "headache"],
    "happy": ["pleased", "satisfied"],
    "very": ["super", "really"],
    "so many": ["loads of", "lots of"],
    "straight away": ["right away", "immediately"],
    "broke": ["snapped", "gave out"],
    "within": ["in less than", "inside"],
    "every day": ["daily", "all the time"],
    "last night": ["yesterday", "on Sunday", "this weekend"],
    "I guess": ["I suppose", "apparently"],
    "keeps": ["kept"],
    "the whole way": ["the entire way", "all day"],
    "a few": ["a couple of", "several"],
}
SYN_RE = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
SYN_LOOKUP = {k.lower(): v for k, v in SYNONYMS.items()}
SYN_RATE = 0.4


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


def pick(rng: np.random.Generator, items, p=None):
    """Pick one element of ``items`` (list) with optional probabilities."""
    return items[int(rng.choice(len(items), p=p))]


def fill(rng: np.random.Generator, template: str, slots: dict[str, list[str]]) -> str:
    """Fill each ``{slot}`` independently; ``{Slot}`` capitalises the value."""

    def repl(m: re.Match) -> str:
        name = m.group(1)
        pool = slots.get(name.lower()) or SHARED_SLOTS.get(name.lower())
        if pool is None:
            raise KeyError(f"unknown slot {name!r} in {template!r}")
        value = pick(rng, pool)
        if name[0].isupper():
            value = value[0].upper() + value[1:]
        return value

    return SLOT_RE.sub(repl, template)


def paraphrase(rng: np.random.Generator, text: str) -> str:
    def repl(m: re.Match) -> str:
        word = m.group(0)
        if rng.random() >= SYN_RATE:
            return word
        alt = pick(rng, SYN_LOOKUP[word.lower()])
        return alt[0].upper() + alt[1:] if word[0].isupper() else alt

    return SYN_RE.sub(repl, text)


def sample_sentiment(rng: np.random.Generator, tone: tuple[float, float]) -> str:
    p_pos, p_neg = tone
    return pick(rng, ["pos", "neg", "mixed"], p=[p_pos, p_neg, 1 - p_pos - p_neg])


def rating_for(rng: np.random.Generator, sentiment: str) -> int:
    if sentiment == "pos":
        return int(pick(rng, [4, 5], p=[0.35, 0.65]))
    if sentiment == "neg":
        return int(pick(rng, [1, 2, 3], p=[0.55, 0.38, 0.07]))
    return int(pick(rng, [2, 3, 4], p=[0.2, 0.6, 0.2]))


def topic_sentences(rng, seg_name: str, sentiment: str, k: int) -> list[str]:
    seg = SEGMENTS[seg_name]
    out: list[str] = []
    for i in range(k):
        if sentiment == "mixed":
            pol = "pos" if i % 2 == 0 else "neg"
        else:
            pol = sentiment
        if rng.random() < BRIDGE_RATE:
            pairs = [key for key in BRIDGES if seg_name in key]
            bridge = BRIDGES[pairs[int(rng.integers(len(pairs)))]]
            out.append(pick(rng, bridge[pol]))
        else:
            out.append(fill(rng, pick(rng, seg[pol]), seg["slots"]))
    # avoid the same sentence twice in one review
    return list(dict.fromkeys(out))


def compose_review(rng, topic_seg: str, tone: tuple[float, float]) -> tuple[str, int]:
    seg = SEGMENTS[topic_seg]
    sentiment = sample_sentiment(rng, tone)
    rating = rating_for(rng, sentiment)
    k = int(pick(rng, [1, 2, 3], p=[0.30, 0.45, 0.25]))
    parts: list[str] = []
    if rng.random() < 0.45:
        parts.append(pick(rng, seg["openers"][sentiment]))
    if rng.random() < 0.25:
        parts.append(fill(rng, pick(rng, seg["detail"]), seg["slots"]))
    parts.extend(topic_sentences(rng, topic_seg, sentiment, k))
    if rng.random() < 0.55:
        pool = {"pos": GENERIC_POS, "neg": GENERIC_NEG, "mixed": GENERIC_MIXED}[sentiment]
        parts.append(fill(rng, pick(rng, pool), {}))
    if rng.random() < 0.08:
        parts.append(pick(rng, CLOSERS))
    if len(parts) == 1:  # a lone template sentence would repeat verbatim across users
        if rng.random() < 0.5:
            parts.insert(0, pick(rng, seg["openers"][sentiment]))
        else:
            pool = {"pos": GENERIC_POS, "neg": GENERIC_NEG, "mixed": GENERIC_MIXED}[sentiment]
            parts.append(fill(rng, pick(rng, pool), {}))

    # keep within MIN_WORDS-MAX_WORDS (the noise added later keeps it under 60)
    while len(" ".join(parts).split()) > MAX_WORDS and len(parts) > 1:
        parts.pop()
    while len(" ".join(parts).split()) < MIN_WORDS:
        parts.append(
            fill(rng, pick(rng, seg[sentiment if sentiment != "mixed" else "pos"]), seg["slots"])
        )
    return paraphrase(rng, " ".join(parts)), rating


def add_mess(rng, text: str, rating: int, topic_seg: str) -> str:
    """Emoji, quotes, newlines: the usual noise of user-written text."""
    if rng.random() < EMOJI_RATE:
        pool = EMOJI_POS if rating >= 4 else EMOJI_NEG if rating <= 2 else EMOJI_MIXED
        text = f"{text} {pick(rng, pool)}" + (pick(rng, pool) if rng.random() < 0.4 else "")
    if rng.random() < QUOTE_RATE:
        word = pick(rng, SEGMENTS[topic_seg]["quote_words"])
        text = (
            f'{text} So much for "{word}".'
            if rating <= 3
            else (f'{text} It really is "{word}", as promised.')
        )
    if rng.random() < NEWLINE_RATE:
        sentences = text.split(". ")
        if len(sentences) > 1:
            cut = int(rng.integers(1, len(sentences)))
            text = ".\n".join([". ".join(sentences[:cut]), ". ".join(sentences[cut:])])
        else:
            text = f"{text}\nEdit: still using it."
    return text


def draw_user(rng, seg_name: str) -> dict:
    b = SEGMENTS[seg_name]["behaviour"]
    age = int(np.clip(round(rng.normal(*b["age"])), 18, 85))
    median, sigma = b["spend"]
    spend = round(float(np.clip(rng.lognormal(np.log(median), sigma), 50, 25000)), 2)
    orders = int(max(1, rng.poisson(b["orders"])))
    membership = pick(rng, MEMBERSHIPS, p=b["membership"])
    region = pick(rng, REGIONS, p=b["region"])
    return {
        "age": age,
        "annual_spend": spend,
        "orders_per_year": orders,
        "membership": membership,
        "region": region,
    }


def generate(seed: int = SEED, n_users: int = N_USERS) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = list(SEGMENTS)
    weights = np.array([SEGMENTS[s]["weight"] for s in names], dtype=float)
    weights /= weights.sum()

    rows: list[dict] = []
    for u in range(1, n_users + 1):
        seg_name = pick(rng, names, p=weights)
        user = {"user_id": f"U{u:05d}", **draw_user(rng, seg_name), "true_segment": seg_name}
        sec = SECONDARY[seg_name]
        secondary = pick(rng, list(sec), p=list(sec.values()))
        tone = SEGMENTS[seg_name]["tone"]
        lowercase = rng.random() < 0.06
        n_reviews = int(pick(rng, list(REVIEWS_PER_USER[0]), p=REVIEWS_PER_USER[1]))
        for _ in range(n_reviews):
            topic_seg = secondary if rng.random() < OFF_TOPIC_RATE else seg_name
            cats = SEGMENTS[topic_seg]["categories"]
            category = pick(rng, list(cats), p=list(cats.values()))
            text, rating = compose_review(rng, topic_seg, tone)
            text = add_mess(rng, text, rating, topic_seg)
            if lowercase:
                text = text.lower()
            if rng.random() < EMPTY_TEXT_RATE:
                text = ""
            rows.append(
                {**user, "review_text": text, "rating": rating, "product_category": category}
            )

    df = pd.DataFrame(rows)
    # Reviews arrive interleaved in a real log; shuffle rows, then number them.
    df = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    df.insert(0, "review_id", [f"R{i:06d}" for i in range(1, len(df) + 1)])
    cols = [
        "review_id",
        "user_id",
        "review_text",
        "rating",
        "product_category",
        "age",
        "annual_spend",
        "orders_per_year",
        "membership",
        "region",
        "true_segment",
    ]
    return df[cols]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "-o", "--output", type=Path, default=Path(__file__).resolve().parent / "store_reviews.csv"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--users", type=int, default=N_USERS)
    args = parser.parse_args(argv)
    df = generate(args.seed, args.users)
    df.to_csv(args.output, index=False, encoding="utf-8", lineterminator="\n")
    print(f"wrote {len(df)} reviews from {df['user_id'].nunique()} users to {args.output}")


if __name__ == "__main__":
    main()
