# ruff: noqa: E501 - prose: statements keep their natural line breaks
"""Problem statements for the demo: the ten challenge areas of DIANA's 2025 call
(data/diana-facts.md). The titles are the real areas; the statements are written
for the demo in the style of a public call, and claim no real requirement."""

# slug, title, summary, problem, operational context, desired outcomes, constraints,
# technology area slugs, (lowest TRL, highest TRL), expected awards
CHALLENGES: list[dict] = [
    {
        "slug": "energy-and-power",
        "title": "Energy and power",
        "summary": "Keep forward units powered for days without a resupply convoy, with less fuel and a smaller "
        "signature.",
        "problem": """Deployed forces depend on diesel generators and long fuel supply chains. Every litre that
reaches a forward position has to be moved through contested ground, and generators give away a unit's
position by noise and heat.

We are looking for ways to **generate, store and manage energy** at the tactical edge that cut fuel demand,
survive rough handling and can be run by soldiers without specialist training.""",
        "operational_context": """- Forward operating bases of 50 to 500 people, and small teams of 4 to 12 on foot.
- Resupply every 3 to 14 days, sometimes only by air drop.
- Temperatures from -30 °C to +50 °C; dust, rain and salt spray.
- Mixed equipment from several Allies, with different plugs, voltages and batteries.""",
        "desired_outcomes": """- At least 30 % less fuel used by a base or team for the same tasks.
- Storage that can be carried by one person, or moved on a standard pallet.
- Microgrids that connect equipment from different nations safely, without an engineer on site.
- Lower acoustic and thermal signature than today's generators.""",
        "constraints": """- Must not rely on a connection to a national grid or a cloud service.
- Battery chemistry must be safe to transport by air under current rules.
- Solutions must be operable by trained soldiers wearing gloves.""",
        "areas": ["energy-propulsion", "novel-materials"],
        "trl": (4, 7),
        "awards": 6,
    },
    {
        "slug": "advanced-communication-technologies",
        "title": "Advanced communication technologies",
        "summary": "Resilient, high-capacity links between Allied units that keep working when satellites, "
        "towers or spectrum are denied.",
        "problem": """Allied units must share voice, data and video across nations, services and domains.
Today's links depend on infrastructure that an adversary can jam, spoof or destroy, and they often cannot
talk to each other without gateways that add delay and failure points.

We seek communication technologies that **keep units connected under attack**: mesh networking,
free-space optical and new waveforms, and networks that heal themselves when nodes are lost.""",
        "operational_context": """- Brigade-level operations across land, sea and air, with units from several Allies.
- Satellite links degraded or unavailable for hours at a time.
- Many radios and bearers in service at once, of different generations.""",
        "desired_outcomes": """- Automatic routing across whatever bearers are available, with no operator action.
- Low probability of detection and interception.
- Interoperability with NATO standards (for example, Federated Mission Networking).""",
        "constraints": """- Size, weight and power suitable for vehicles and, ideally, for dismounted soldiers.
- Encryption must be replaceable by national approved cryptography.""",
        "areas": ["next-generation-communications", "space"],
        "trl": (4, 7),
        "awards": 6,
    },
    {
        "slug": "contested-electromagnetic-environments",
        "title": "Contested electromagnetic environments",
        "summary": "Sense, understand and operate in a crowded, hostile radio spectrum.",
        "problem": """Modern conflict shows how quickly the electromagnetic spectrum becomes contested: drones
lose their links, navigation is spoofed, and every emission can be located and targeted.

Allied forces need to **see the spectrum as clearly as the terrain**: detect and classify emitters, protect
their own links and navigation, and manage their own emissions to avoid being found.""",
        "operational_context": """- Dense urban and coastal areas with civilian and military emitters side by side.
- GNSS jamming and spoofing across wide areas, for days.
- Small units that cannot carry large electronic-warfare equipment.""",
        "desired_outcomes": """- Passive detection and classification of emitters in near real time.
- Navigation that stays accurate without GNSS for hours.
- Tools that show a commander the unit's own electromagnetic signature.""",
        "constraints": """- Must comply with national spectrum rules in peacetime training.
- Machine-learning models must run on the device, without a link to a data centre.""",
        "areas": ["next-generation-communications", "artificial-intelligence"],
        "trl": (4, 7),
        "awards": 6,
    },
    {
        "slug": "human-resilience-and-biotechnologies",
        "title": "Human resilience and biotechnologies",
        "summary": "Protect, sustain and treat the people who serve, from the point of injury to recovery.",
        "problem": """People remain the decisive element of any operation. Fatigue, heat, cold, stress and
injury degrade performance long before a mission ends, and casualties far from a hospital may wait hours
for care.

We seek biotechnologies and human-performance solutions that **keep personnel healthy and effective** and
**save lives before evacuation**.""",
        "operational_context": """- Prolonged field care: evacuation delayed by 24 to 72 hours.
- Long missions with disrupted sleep and extreme climates.
- Chemical and biological threats in the area of operations.""",
        "desired_outcomes": """- Wearable monitoring that warns of exhaustion, heat injury or shock before it is visible.
- Field-stable blood products, diagnostics or therapeutics that need no cold chain.
- Rapid detection of biological agents at the point of need.""",
        "constraints": """- Health data must stay under the control of the individual's nation.
- Products must be on a credible path to medical-device or drug regulation.""",
        "areas": ["biotechnology", "artificial-intelligence"],
        "trl": (3, 6),
        "awards": 5,
    },
    {
        "slug": "critical-infrastructure-and-logistics",
        "title": "Critical infrastructure and logistics",
        "summary": "Move forces and supplies across the Alliance quickly, and keep the infrastructure they "
        "depend on running under attack.",
        "problem": """Reinforcing an Ally means moving people, fuel, ammunition and spare parts across borders,
ports, railways and bridges that also serve civilian life. These networks are exposed to sabotage,
cyber-attack and natural disasters, and their status is often unknown until something fails.

We seek solutions that give **visibility of supply chains and infrastructure** and **keep them working**
when disrupted.""",
        "operational_context": """- Military mobility corridors across several nations, with civilian operators.
- Ports, pipelines, power and data cables as potential targets.
- Mixed fleets of military and commercial transport.""",
        "desired_outcomes": """- A shared, near real-time picture of stocks and movements across national systems.
- Early warning of damage or tampering on critical infrastructure.
- Predictive maintenance that keeps vehicles and equipment available.""",
        "constraints": """- Must integrate with existing national logistics systems rather than replace them.
- Data shared between nations must respect each nation's classification rules.""",
        "areas": ["big-data", "autonomy", "artificial-intelligence"],
        "trl": (5, 8),
        "awards": 6,
    },
    {
        "slug": "operations-in-extreme-environments",
        "title": "Operations in extreme environments",
        "summary": "Equip forces to live, move and fight in the Arctic, deserts, mountains and deep water.",
        "problem": """The Alliance must be able to operate from the High North to the desert. Extreme cold,
heat, altitude and isolation defeat equipment designed for temperate climates: batteries fail, materials
crack, and people and vehicles cannot move.

We seek technologies that **extend endurance and mobility in extreme environments**.""",
        "operational_context": """- Arctic operations at -40 °C with weeks of darkness.
- Desert heat above +50 °C with sand and dust.
- Long distances with little infrastructure and poor communications.""",
        "desired_outcomes": """- Materials and clothing that keep their properties across the full temperature range.
- Power sources that work in extreme cold.
- Over-snow and over-sand mobility with low environmental impact.""",
        "constraints": """- Equipment must be repairable in the field.
- Solutions must respect environmental rules in fragile regions such as the Arctic.""",
        "areas": ["novel-materials", "energy-propulsion"],
        "trl": (4, 7),
        "awards": 5,
    },
    {
        "slug": "maritime-operations",
        "title": "Maritime operations",
        "summary": "Watch and protect the seas, the seabed and the ports the Alliance depends on.",
        "problem": """Most of the Alliance's trade and data travels by sea or under it. Undersea cables and
pipelines are hard to watch, and shadow fleets, drones and submarines can threaten them at low cost.

We seek solutions for **persistent, affordable maritime awareness** from the surface to the seabed, and for
protecting ships and ports against new threats.""",
        "operational_context": """- The Baltic, North Atlantic, Mediterranean and Black Sea.
- Critical undersea infrastructure across thousands of kilometres.
- Uncrewed surface and underwater vehicles used by both sides.""",
        "desired_outcomes": """- Long-endurance uncrewed sensors that cover wide areas at low cost.
- Detection of anomalous behaviour of vessels near critical infrastructure.
- Counter-drone protection for ships and harbours.""",
        "constraints": """- Systems must operate for weeks without a crew.
- Acoustic sensors must not harm marine life.""",
        "areas": ["autonomy", "artificial-intelligence"],
        "trl": (4, 7),
        "awards": 6,
    },
    {
        "slug": "resilient-space-operations",
        "title": "Resilient space operations",
        "summary": "Keep the space services Allies rely on available when satellites are jammed, dazzled or attacked.",
        "problem": """Navigation, communications, weather and intelligence all depend on space. Satellites are
few, expensive and exposed: they can be jammed from the ground, dazzled by lasers or disabled in orbit.

We seek technologies that make **space services resilient**: more, smaller and cheaper satellites; rapid
launch and replacement; and alternatives that keep working when space is denied.""",
        "operational_context": """- Allied and commercial constellations used together.
- Interference and debris in crowded orbits.
- Ground segments exposed to cyber-attack.""",
        "desired_outcomes": """- Space-domain awareness that detects manoeuvres and threats early.
- Quantum or other timing and navigation sources that do not depend on GNSS.
- Secure links between commercial and government satellites.""",
        "constraints": """- Must respect export-control rules between Allies.
- Solutions must not create new orbital debris.""",
        "areas": ["space", "quantum"],
        "trl": (3, 6),
        "awards": 5,
    },
    {
        "slug": "autonomy-and-unmanned-systems",
        "title": "Autonomy and unmanned systems",
        "summary": "Uncrewed systems that work in teams, with people, and without a constant link.",
        "problem": """Uncrewed systems in the air, on land and at sea are now part of every operation. Most still
need one operator per vehicle and a constant radio link, which limits their numbers and makes them easy to
defeat.

We seek **autonomy that lets a few operators direct many systems** safely, including when the link is lost,
and ways to **detect and defeat hostile drones**.""",
        "operational_context": """- Swarms of small drones used for reconnaissance and attack.
- Links jammed or intermittent.
- Uncrewed systems operating near civilians and crewed aircraft.""",
        "desired_outcomes": """- One operator supervising a team of heterogeneous vehicles.
- Navigation and mission completion without GNSS or a continuous link.
- Affordable counter-drone detection and defeat for small units.""",
        "constraints": """- Humans must stay in control of the use of force, as national and international law requires.
- Autonomy software must be testable and explainable enough to be certified.""",
        "areas": ["autonomy", "artificial-intelligence"],
        "trl": (4, 8),
        "awards": 7,
    },
    {
        "slug": "data-assisted-decision-making",
        "title": "Data-assisted decision making",
        "summary": "Turn floods of sensor and open-source data into timely, trustworthy decisions.",
        "problem": """Commanders receive more data than any staff can read: sensor feeds, reports, open sources
and intelligence from many nations. Important signals are missed, and decisions are made on an incomplete
picture.

We seek tools that **fuse data from many sources** and **help people decide faster and better**, while
showing how confident they are and why.""",
        "operational_context": """- Multinational headquarters with different languages and systems.
- Data of mixed classification and reliability.
- Adversaries spreading disinformation to mislead.""",
        "desired_outcomes": """- Fusion of sensor, text and imagery data into a shared picture.
- Explanations of why a recommendation was made, and how reliable the sources are.
- Detection of manipulated media and coordinated disinformation.""",
        "constraints": """- Must run on accredited networks that are not connected to the internet.
- Models must be auditable and their training data documented.""",
        "areas": ["artificial-intelligence", "big-data"],
        "trl": (4, 7),
        "awards": 7,
    },
]

# EIC-like rubric: each criterion scored 0 to 5; weights sum to 1, so a review's
# weighted total is also on the 0-5 scale.
CRITERIA: list[dict] = [
    {
        "name": "Defence and security relevance",
        "description": "How well the solution answers the challenge's operational problem for Allied forces.",
        "weight": "0.30",
        "threshold": "3.0",
    },
    {
        "name": "Innovation and technical merit",
        "description": "How new the approach is, and how sound the technology and its evidence are.",
        "weight": "0.25",
        "threshold": "3.0",
    },
    {
        "name": "Feasibility and team",
        "description": "Whether the team and plan can reach a demonstration within the accelerator.",
        "weight": "0.25",
        "threshold": "3.0",
    },
    {
        "name": "Dual-use and commercial potential",
        "description": "The civilian market and the path to a sustainable business.",
        "weight": "0.20",
        "threshold": None,
    },
]
