# ruff: noqa: E501 - data tables: one entry a line reads better than wrapped strings.
"""The words of the demo applications: per challenge area, plausible solutions from a
deep-tech defence start-up, and sentence pools that applications.demo composes so
that no two applications read the same. Data only; every company and product is made up.
"""

from django.utils import translation

from challenges import enums

# Made-up company names: a coined word and what the company does. The coined words are
# built from syllables so that none is a well-known brand (checked against a short list).
NAME_STARTS = [
    "Ark", "Bor", "Cal", "Drav", "Esk", "Fenn", "Glim", "Hald", "Isk", "Jarn", "Kalv", "Lum", "Mer", "Nord",
    "Ost", "Quor", "Rask", "Solv", "Terv", "Ulv", "Vant", "Wyr", "Zeph", "Brek", "Cyr", "Dun", "Elv", "Frey",
    "Tor", "Vel", "Hav", "Sten",
]  # fmt: skip
NAME_ENDS = ["ane", "ith", "ora", "arn", "ova", "mark", "avon", "kar", "exa", "ivar", "wind", "avik", "avel", "enth", "eon"]  # fmt: skip
# Real words, names and brands the syllables happen to spell.
NOT_COINED = {
    "Arkane", "Haldane", "Borane", "Osteon", "Ostmark", "Nordmark", "Stenmark", "Velora", "Lumeon", "Torkar",
    "Calora", "Solvora", "Mereon", "Velova", "Zephora", "Calexa", "Dunmark", "Nordwind", "Arkwind",
}  # fmt: skip
# What each kind of company does, and the challenges it would answer (by slug).
SECTORS: dict[str, tuple[str, list[str]]] = {
    "Photonics": ("Laser, optical and infrared systems for sensing and communication.", ["advanced-communication-technologies", "resilient-space-operations", "operations-in-extreme-environments"]),
    "Robotics": ("Ground and aerial robots for dangerous, dirty and remote work.", ["autonomy-and-unmanned-systems", "critical-infrastructure-and-logistics"]),
    "Sensing": ("Rugged sensors and the software that turns their data into alerts.", ["contested-electromagnetic-environments", "maritime-operations", "critical-infrastructure-and-logistics"]),
    "Systems": ("Integrated hardware and software systems for demanding customers.", ["critical-infrastructure-and-logistics", "operations-in-extreme-environments", "energy-and-power"]),
    "Materials": ("Advanced materials and coatings, from lab to pilot production.", ["operations-in-extreme-environments", "energy-and-power"]),
    "Analytics": ("Data analytics and decision-support software.", ["data-assisted-decision-making", "critical-infrastructure-and-logistics"]),
    "Power": ("Batteries, power electronics and off-grid energy systems.", ["energy-and-power", "operations-in-extreme-environments"]),
    "Orbital": ("Small-satellite hardware and space services.", ["resilient-space-operations"]),
    "Labs": ("A research spin-out taking its deep-tech invention to market.", ["human-resilience-and-biotechnologies", "resilient-space-operations", "contested-electromagnetic-environments"]),
    "Autonomy": ("Autonomy software for uncrewed vehicles.", ["autonomy-and-unmanned-systems", "maritime-operations"]),
    "Signals": ("Radio-frequency sensing, spectrum monitoring and signal processing.", ["contested-electromagnetic-environments", "advanced-communication-technologies"]),
    "Bio": ("Biotechnology for medical countermeasures and human performance.", ["human-resilience-and-biotechnologies"]),
    "Networks": ("Resilient wireless networks and secure communications.", ["advanced-communication-technologies", "data-assisted-decision-making"]),
    "Marine": ("Maritime sensors, uncrewed boats and subsea monitoring.", ["maritime-operations"]),
    "Dynamics": ("Mechanical and electromechanical systems for harsh environments.", ["operations-in-extreme-environments", "autonomy-and-unmanned-systems"]),
    "Quantum": ("Quantum sensors and timing devices.", ["resilient-space-operations", "advanced-communication-technologies"]),
    "Health": ("Medical devices and wearables for people in demanding jobs.", ["human-resilience-and-biotechnologies"]),
    "Aerospace": ("Components and subsystems for aircraft and drones.", ["autonomy-and-unmanned-systems", "energy-and-power"]),
}  # fmt: skip

# Per challenge (keyed by the slugs of challenges.demo_statements):
# "titles": (title, what we build); "how": how it works; "defence": who needs it in
# the forces; "civil": the civil market; "risk": the main technical risk.
AREAS: dict[str, dict[str, list]] = {
    "energy-and-power": {
        "titles": [
            ("Solid-state battery packs for dismounted soldiers in Arctic cold", "a solid-state battery pack that keeps 80% of its capacity at -40 °C"),
            ("Containerised hybrid microgrid for forward operating bases", "a 20-foot container microgrid that blends solar, storage and the existing generator"),
            ("Silent fuel-cell generator running on logistic fuel", "a 5 kW fuel-cell generator that reforms JP-8 on board"),
            ("Wireless power beaming to recharge perimeter sensors", "a laser power-beaming link that recharges sensors 300 m away"),
            ("Predictive energy management for expeditionary camps", "software that forecasts a camp's load and schedules its generators"),
            ("Structural batteries for small uncrewed aircraft", "carbon-fibre airframe panels that also store energy"),
        ],
        "how": [
            "A battery management system learns each cell's ageing and balances the pack in the field.",
            "Power electronics with open interfaces connect to NATO-standard connectors and existing generators.",
            "An edge controller runs without a network link and logs every kilowatt-hour for the logisticians.",
        ],
        "defence": [
            "Fuel convoys are among the most exposed missions in any deployment; every litre saved is a convoy not driven.",
            "A platoon carries up to 15 kg of batteries; halving that weight changes how far and how long it can patrol.",
            "Generators give away a position by noise and heat; a silent source keeps observation posts hidden.",
        ],
        "civil": ["off-grid telecom towers", "disaster-relief camps", "mining sites far from the grid", "film and event production"],
        "risk": ["cell performance below -30 °C", "reformer fouling with high-sulphur fuel", "thermal management inside a closed container"],
    },
    "advanced-communication-technologies": {
        "titles": [
            ("Self-healing tactical mesh radios that survive jamming", "a software-defined mesh radio that reroutes around jammed links in under a second"),
            ("Free-space optical links between vehicles on the move", "a stabilised laser terminal giving 1 Gbit/s between moving vehicles"),
            ("Low-probability-of-intercept waveforms for small teams", "a spread-spectrum waveform that hides below the noise floor"),
            ("Satellite-independent timing for tactical networks", "a chip-scale clock that keeps networks in time for days without GNSS"),
            ("Store-and-forward messaging over any bearer", "a messaging layer that hops between HF, satellite, 5G and mesh as each comes and goes"),
            ("Portable private 5G core for coalition operations", "a rucksack-sized 5G core that federates with partners' networks"),
        ],
        "how": [
            "Routing decisions run on each node, so there is no master to target.",
            "The protocol stack is written in memory-safe Rust and runs on commercial radios.",
            "Keys are managed locally and can be zeroised in one action if a node is captured.",
        ],
        "defence": [
            "Coalition units still exchange data by voice when their networks cannot talk to each other.",
            "When satellite links are denied, units need links they own, that an adversary cannot easily find.",
            "Headquarters keep moving to survive; their networks must come up in minutes, not hours.",
        ],
        "civil": ["emergency-service networks", "offshore and mining operators", "event and broadcast crews", "rural broadband"],
        "risk": ["link stability at vehicle speed", "interoperability with legacy radios", "power draw on handheld nodes"],
    },
    "contested-electromagnetic-environments": {
        "titles": [
            ("Passive radar from broadcast signals of opportunity", "a passive radar that detects drones using FM and DVB-T broadcasts"),
            ("AI-assisted spectrum awareness for brigade staff", "a sensor network and map showing who transmits where, in real time"),
            ("Drone detection by RF fingerprinting", "an RF sensor that identifies drone models from their control links"),
            ("Anti-jam GNSS antenna for small platforms", "a four-element antenna that nulls jammers in the receiver's direction"),
            ("Cognitive radio that finds clear spectrum under attack", "a radio that senses jamming and moves its channel before the link drops"),
            ("Emission control monitoring for command posts", "a handheld kit that shows a command post its own electromagnetic signature"),
        ],
        "how": [
            "Signal processing runs on a commercial FPGA board; the classifier is retrained from field recordings.",
            "Several low-cost receivers are time-synchronised to locate emitters by time difference of arrival.",
            "The output is a NATO-standard track feed that existing command systems already read.",
        ],
        "defence": [
            "Recent conflicts show that an emitter that can be found can be struck within minutes.",
            "Cheap drones and jammers now reach every echelon, and most units cannot see them coming.",
            "Spectrum managers plan with spreadsheets; the electromagnetic picture is rarely live.",
        ],
        "civil": ["airport drone protection", "telecom regulators' spectrum monitoring", "critical-site security", "stadium security"],
        "risk": ["false alarms in dense urban spectrum", "classifier drift as new drone models appear", "size, weight and power on a vehicle"],
    },
    "human-resilience-and-biotechnologies": {
        "titles": [
            ("Wearable sensor for early detection of heat injury", "a chest-strap sensor that predicts heat illness before symptoms show"),
            ("Freeze-dried whole blood for point-of-injury care", "a shelf-stable blood product that medics reconstitute in two minutes"),
            ("Objective fatigue monitoring for aircrew", "an eye-tracking insert that scores alertness during a mission"),
            ("Rapid field test for nerve-agent exposure", "a paper-strip assay that reads exposure from a drop of blood in ten minutes"),
            ("Haemostatic dressing from engineered proteins", "a dressing that stops junctional bleeding without pressure"),
            ("Sleep and recovery coaching from wearable data", "a coaching app that turns wearable data into rest plans for units"),
        ],
        "how": [
            "Models are trained on anonymised data from our clinical partner and validated against core-temperature pills.",
            "Data stays on the device and leaves only as alerts, so no personal health data crosses a network.",
            "Materials are produced by microbial fermentation, with no animal or human-donor inputs.",
        ],
        "defence": [
            "Most preventable combat deaths are from bleeding in the first hour, often far from a surgeon.",
            "Heat injuries remove trained soldiers from training and operations every summer.",
            "Fatigue is a factor in a large share of aviation incidents, yet commanders have no objective measure.",
        ],
        "civil": ["firefighters and first responders", "trauma care in rural ambulances", "professional sport", "heavy industry shift work"],
        "risk": ["regulatory approval of a medical device", "sensor accuracy during heavy exertion", "stability of the product at high temperature"],
    },
    "critical-infrastructure-and-logistics": {
        "titles": [
            ("Digital twin of rail corridors for military mobility", "a digital twin that tests rail and bridge capacity for heavy military loads"),
            ("Predictive maintenance for vehicle fleets from acoustic data", "a retrofit sensor that hears bearing and gearbox wear weeks ahead"),
            ("Tamper-evident tracking for high-value supply chains", "a tracker that proves a container was never opened in transit"),
            ("Autonomous last-mile resupply by ground robot", "a ground robot that carries 200 kg to forward positions without a driver"),
            ("Structural health monitoring of bridges with fibre optics", "a fibre-optic strain network installed on bridges in a day"),
            ("Port and depot throughput optimisation", "scheduling software that plans cranes, trucks and trains together"),
        ],
        "how": [
            "Our models combine open infrastructure data with the customer's own records, and run on premises.",
            "Sensors retrofit with magnetic mounts and run for three years on one battery.",
            "Results go to existing logistics systems through documented APIs; there is no new screen to learn.",
        ],
        "defence": [
            "Moving heavy brigades across Europe depends on bridges and rail lines nobody has checked for their loads.",
            "Unplanned vehicle breakdowns take a large share of fleets out of service at the worst moment.",
            "Supply chains for munitions and spare parts are now targets of sabotage as well as delay.",
        ],
        "civil": ["rail infrastructure managers", "road authorities", "ports and freight operators", "energy utilities"],
        "risk": ["data access from infrastructure owners", "accuracy on ageing structures with no drawings", "sensor survival in winter road conditions"],
    },
    "operations-in-extreme-environments": {
        "titles": [
            ("Adaptive thermal camouflage for vehicles", "a panel system that matches a vehicle's heat signature to its background"),
            ("Ice-phobic coatings for sensors and antennas", "a coating that keeps optics and antennas clear of ice without heating"),
            ("Lightweight shelters with phase-change insulation", "a two-person shelter that holds its temperature overnight at -30 °C"),
            ("Water from air for desert patrols", "a portable unit that harvests drinking water from desert air"),
            ("Snow and ice mobility prediction from satellite data", "a service that maps where vehicles can cross snow and ice each day"),
            ("Cold-tolerant drone propulsion", "an electric motor and battery system for drones rated to -40 °C"),
        ],
        "how": [
            "The materials are processed on standard coating lines, so cost falls as volume grows.",
            "We tested in climate chambers and on a winter exercise north of the Arctic Circle.",
            "The design uses no rare-earth magnets and no single-source components.",
        ],
        "defence": [
            "The High North is now a front line, and much of the Allies' equipment was not designed for it.",
            "Cold drains batteries, grounds drones and freezes sensors just when they are needed.",
            "Thermal imagers now see most vehicles at long range, whatever their paint.",
        ],
        "civil": ["Arctic shipping and mining", "wind-turbine operators in cold climates", "mountain rescue", "humanitarian work in arid regions"],
        "risk": ["durability of coatings under abrasion", "power needed by active camouflage", "weight on foot patrols"],
    },
    "maritime-operations": {
        "titles": [
            ("Seabed infrastructure monitoring with fibre-optic sensing", "distributed acoustic sensing that turns existing subsea cables into a listening array"),
            ("Uncrewed surface vessel for harbour protection", "a 6-metre uncrewed boat that patrols harbours for days"),
            ("Synthetic-aperture sonar for small underwater vehicles", "a compact synthetic-aperture sonar for man-portable underwater vehicles"),
            ("Dark-vessel detection from satellite and AIS fusion", "a service that flags ships whose transponder story does not match the imagery"),
            ("Low-cost acoustic buoys for anti-submarine awareness", "a drifting acoustic buoy built from commercial parts"),
            ("Autonomous mine countermeasures planning", "software that plans and adapts mine-hunting missions for uncrewed vehicles"),
        ],
        "how": [
            "Detection models run on the vehicle, so only contacts, not raw data, go over the thin satellite link.",
            "The system reuses commercial hulls and sensors; our value is in the autonomy and processing.",
            "Alerts follow NATO maritime message formats and appear in existing operations-room tools.",
        ],
        "defence": [
            "Undersea cables and pipelines have been damaged in the Baltic, and it took days to know what had happened.",
            "Navies have too few crewed ships to watch every port, chokepoint and seabed asset.",
            "Sea mines remain cheap to lay and slow to clear.",
        ],
        "civil": ["offshore wind farms", "subsea cable operators", "fisheries control", "port authorities"],
        "risk": ["sea-state limits on a small hull", "acoustic clutter in shallow, busy water", "fouling over long deployments"],
    },
    "resilient-space-operations": {
        "titles": [
            ("Optical inter-satellite links for small satellites", "a laser terminal that lets small satellites relay data without ground stations"),
            ("Space domain awareness from a network of small telescopes", "a network of robotic telescopes that tracks satellites in all orbits"),
            ("Quantum magnetometer navigation without GNSS", "a navigation unit that matches quantum magnetometer readings to magnetic maps"),
            ("On-orbit anomaly detection for satellite operators", "software that flags unusual satellite behaviour from telemetry"),
            ("Radiation-tolerant edge computing for small satellites", "a processor board that runs AI models in orbit"),
            ("Rapid-response launch integration service", "a standard payload adapter and process that integrates satellites in weeks"),
        ],
        "how": [
            "Hardware is designed to CubeSat standards and qualified through vibration and thermal-vacuum tests.",
            "Our algorithms fuse our own observations with public catalogues and flag changes within hours.",
            "A ground software kit lets operators task the system from their existing mission control.",
        ],
        "defence": [
            "GNSS jamming and spoofing now affect aircraft and ships daily near conflict zones.",
            "Allies depend on commercial satellites that can be jammed, dazzled or approached by others.",
            "Replacing a lost satellite takes years; resilience must come from many small, connected assets.",
        ],
        "civil": ["satellite operators and insurers", "aviation and shipping navigation", "Earth-observation companies", "space traffic management"],
        "risk": ["pointing accuracy on a small platform", "sensitivity to vehicle magnetic noise", "export-control limits on components"],
    },
    "autonomy-and-unmanned-systems": {
        "titles": [
            ("GNSS-free navigation for drones using visual odometry", "a navigation module that lets drones fly on camera and inertial data alone"),
            ("Swarm coordination with intermittent communications", "autonomy software that keeps a drone swarm on task when links drop"),
            ("Counter-drone interceptor with on-board targeting", "a low-cost interceptor drone that tracks and disables hostile drones"),
            ("Human-machine teaming interface for one operator and many robots", "a tablet interface that lets one operator supervise ten robots"),
            ("Autonomous ground vehicle kit for existing trucks", "a drop-in kit that turns a standard truck into a leader-follower convoy"),
            ("Verification tools for autonomous behaviour", "a simulation toolset that tests an autonomy stack against thousands of scenarios"),
        ],
        "how": [
            "Perception models run on a low-power module and are trained on our own field data.",
            "The autonomy stack is built on open standards, so it can run on many vehicle types.",
            "A human always authorises engagement decisions; the software explains what it proposes and why.",
        ],
        "defence": [
            "Small drones now dominate parts of the battlefield, and navigation jamming grounds most of them.",
            "Forces need mass without more people; autonomy lets small teams operate many systems.",
            "Certification of autonomous systems is slow because nobody can test every situation on a range.",
        ],
        "civil": ["infrastructure inspection", "agriculture", "search and rescue", "warehouse and yard logistics"],
        "risk": ["navigation drift over featureless terrain", "safe behaviour when the link is lost", "certification of autonomous functions"],
    },
    "data-assisted-decision-making": {
        "titles": [
            ("Multilingual open-source intelligence triage", "a tool that reads, translates and clusters open sources for analysts"),
            ("Explainable course-of-action analysis for staff planning", "a planning assistant that compares courses of action and explains its reasoning"),
            ("Disinformation campaign detection across platforms", "a system that detects coordinated inauthentic behaviour across social platforms"),
            ("Federated search across classified and unclassified data", "federated search that respects each document's classification and releasability"),
            ("Sensor-to-decision data fusion at the edge", "an edge fusion engine that merges sensor tracks into one picture"),
            ("Wargaming with AI opponents for staff training", "a wargame in which AI opponents adapt to the staff's plan"),
        ],
        "how": [
            "Large language models run on premises, with sources cited for every statement.",
            "Every recommendation carries its confidence and the data it came from, so staff can challenge it.",
            "The system runs on disconnected networks and is updated by signed offline packages.",
        ],
        "defence": [
            "Staffs drown in reports while the decision window shrinks to minutes.",
            "Information operations target Allied publics daily; analysts see them too late.",
            "Coalition partners hold data at different classifications, and sharing it takes days.",
        ],
        "civil": ["crisis management agencies", "newsrooms and fact-checkers", "financial compliance", "critical-infrastructure operators"],
        "risk": ["model errors in low-resource languages", "accreditation for classified networks", "trust by experienced staff officers"],
    },
}  # fmt: skip

# Project code names: about half the applications carry one, as many real proposals do.
CODE_NAMES = [
    "FROSTLINE", "SEAMARK", "KESTREL-X", "NORDLYS", "BASTION", "SKYWARD", "TIDEWATCH", "IRONVEIL", "LODESTAR",
    "HALCYON", "GLACIER", "SENTINEL-M", "PATHFINDER", "BULWARK", "AURORA-E", "MERIDIAN-C", "STORMBIRD",
    "ARGUS-L", "EMBERLINE", "QUIETWAVE", "POLARIS-T", "TRIDENT-S", "BOREAS", "CORVID", "HELIX-R",
]  # fmt: skip

DIFFERENTIATORS = [
    "Unlike existing products, it needs no specialist operator: two hours of training are enough.",
    "It costs about a tenth of the systems in service today, so units can afford to lose it.",
    "It weighs less than half of what comparable systems weigh.",
    "It is built from commercial components sourced inside the Alliance, with no single supplier.",
    "Its interfaces are open and documented, so other vendors' systems can plug in.",
    "It works without a network link and synchronises when one is available.",
]  # fmt: skip

DEFENCE_FIT = [
    "We have discussed the need with two national procurement agencies and an Allied test centre.",
    "A national army unit has agreed to host a trial in the accelerator's second half.",
    "The solution fits existing NATO standards, so it can be adopted without changing doctrine.",
    "It can be fielded by a section or platoon, without support from higher echelons.",
    "We designed it with former service members who used the current equipment on operations.",
]  # fmt: skip

DEFENCE_SCALE = [
    "Forces in {allies} Allies have told us they face this problem.",
    "We estimate a need for about {units} units across the Alliance within five years.",
    "Our first conversations with {allies} national armed forces point to trials in {when}.",
    "",
]  # fmt: skip

DUAL_USE = [
    "The civil market, {civil}, is larger than the defence one and funds most of our development.",
    "Our first paying customers are in {civil}; the defence version shares the same core.",
    "We see the strongest civil demand from {civil}, where the same problem costs money every day.",
]  # fmt: skip

FEASIBILITY_EVIDENCE = [
    "The lab prototype meets our key performance targets, with results published at a peer-reviewed conference.",
    "A first field prototype has run for over 300 hours in trials with an industrial partner.",
    "Our core algorithm is validated on public data sets and on 40 hours of our own field recordings.",
    "Two patent applications cover the core design; a university partner validated the physics independently.",
]  # fmt: skip
FEASIBILITY_RISK = [
    "The main technical risk is {risk}; we reduce it with a test campaign in the first three months.",
    "Our largest open question is {risk}, which the accelerator's test centres let us measure.",
    "We rate {risk} as the highest risk and have a fall-back design that trades performance for robustness.",
]  # fmt: skip

FEASIBILITY_PLAN = [
    "The six-month plan has {milestones} milestones, each with a test that can fail.",
    "We need about {months} months of engineering after the accelerator to reach a product.",
    "A {months}-month test plan is agreed with our university partner.",
    "",
]  # fmt: skip

COMMERCIAL_MARKET = [
    "We target a market of about EUR {market} million a year across the Alliance, growing as budgets rise.",
    "Defence customers in five Allies have a stated need; the civil market is worth about EUR {market} million a year.",
    "Analysts size our addressable market at EUR {market} million a year, two thirds of it civil.",
]  # fmt: skip
COMMERCIAL_MODEL = [
    "We sell hardware with a yearly software and support licence.",
    "Revenue comes from software subscriptions priced per site.",
    "We license the technology to system integrators and sell directly to smaller customers.",
    "Customers buy units outright; data services are billed monthly.",
]  # fmt: skip
COMMERCIAL_TRACTION = [
    "We have {pilots} paid pilots and a letter of intent from a prime contractor.",
    "Revenue last year was EUR {revenue}k from {pilots} civil customers.",
    "We closed a seed round of EUR {seed} million from European deep-tech investors.",
    "We hold {pilots} signed pilot agreements and a national innovation grant.",
]  # fmt: skip

TEAM_FOUNDERS = [
    "The CEO spent eight years in a national defence research agency; the CTO holds a PhD in the core technology.",
    "Our founders met at a technical university and previously built and sold a sensing start-up.",
    "The founding team combines a former army signals officer, a radio-frequency engineer and a product manager from industry.",
    "Our CTO led development of a comparable system at a large manufacturer before founding the company.",
    "The founders are two researchers and a former naval officer who ran trials of the technology we build on.",
]  # fmt: skip
TEAM_SIZE = [
    "We are {people} people, {engineers} of them engineers, in two offices.",
    "The company employs {people} staff, including {engineers} engineers and a quality manager.",
    "Our {people} staff include {engineers} engineers; two hold national security clearances.",
]  # fmt: skip
TEAM_ADVISORS = [
    "A retired general officer and a former procurement director advise the board.",
    "We are hiring a systems engineer and a business developer for defence customers.",
    "An industrial advisory board includes a partner from a major systems integrator.",
    "",
]  # fmt: skip

# The EU and NATO definitions of technology readiness levels.
# In English, as the demo's texts are (the portal's labels themselves are translated).
with translation.override("en"):
    TRL_DEFINITIONS = {level: str(definition) for level, definition in enums.TRL_DEFINITIONS.items()}
# What a team at each level can honestly point to.
TRL_EVIDENCE = {
    1: ["We have observed the effect in published research and our own calculations."],
    2: ["We have formulated the concept and modelled its performance; no hardware has been built yet."],
    3: [
        "A bench experiment proved the concept's key function with laboratory equipment.",
        "Simulations and a first breadboard confirmed the critical function.",
    ],
    4: [
        "Our breadboard prototype was validated in the lab against the target specification.",
        "Components were integrated and tested together in our laboratory.",
    ],
    5: [
        "The integrated prototype was validated in a relevant environment at a partner's test site.",
        "We validated the prototype in conditions close to real use, including a climate-chamber campaign.",
    ],
    6: [
        "A representative prototype was demonstrated in a relevant environment during field trials with a partner.",
        "We demonstrated the prototype outdoors in a relevant environment, operated by end users.",
    ],
    7: [
        "A system prototype was demonstrated in an operational environment during a national exercise.",
        "Our pre-production system was demonstrated in operational conditions with a civil customer.",
    ],
    8: [
        "The system is complete and qualified to the relevant civil standards; defence qualification is the gap.",
        "The product is complete, qualified and in series production for civil customers.",
    ],
    9: ["The system is proven in operational use by civil customers in three countries."],
}
TRL_NEXT = [
    "The accelerator would take us one level higher through testing at an Allied test centre.",
    "Our plan ends the six months with a trial that meets the next level's criteria.",
    "The next step is a test with end users, which the programme's test centres make possible.",
]  # fmt: skip

# How the Phase 1 grant is spent: (share of the request, use).
FUNDING_SPLITS = [
    [(50, "ruggedisation and a second prototype"), (30, "testing at an Allied test centre"), (20, "certification preparation")],
    [(40, "two engineers for six months"), (35, "field trials with end users"), (25, "security accreditation")],
    [(60, "integration with NATO-standard interfaces"), (25, "a trial with a national unit"), (15, "export-control and IP advice")],
    [(45, "hardware for ten trial units"), (35, "software hardening"), (20, "travel to test centres and trials")],
]  # fmt: skip

GOALS = [
    "Within the six months we aim to complete a field trial with an Allied unit.",
    "In the accelerator we will harden the prototype and test it at an Allied test centre.",
    "Our goal for the programme is a first defence customer and a qualified prototype.",
    "The programme would let us prove the system in realistic conditions and meet procurement teams.",
]  # fmt: skip
