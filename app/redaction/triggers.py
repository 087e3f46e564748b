"""Context triggers: nicknames, roles, kinship, jobs, marks and incidents.

* A nickname is whatever follows "called", "known as", "звали", "라고 불렀다".
* A role word before a name ("brigade leader", "бригадир", "작업반장") makes
  that person QUASI (supervisors and security agents), whereas relatives,
  co-workers and helpers stay DIRECT.
* Jobs, ethnic descriptions, distinctive marks and injuries are QUASI.
"""

from __future__ import annotations

import re

from app.redaction.spans import DEM, MISC, PERSON, IdType, Span
from app.redaction.stopwords import is_stopword

D = IdType.DIRECT
Q = IdType.QUASI

NICKNAME = [
    # called him "gomdori", known as "Ko-ajumma", I called her "natasha-imo"
    r"(?:call(?:ed|s)?|nicknamed|known\s+(?:to\s+\w+\s+)?as|nickname(?:\s+was)?|named)\s+"
    r"(?:(?:him|her|me|them|it|(?:the|our|their|this|that)\s+[a-z]+(?:\s+leader)?)\s+)?"
    r"(?:(?:only|just|simply|always)\s+)?[\"“']([^\"”'\n]{2,30})[\"”']",
    # «мишка», «гуги»: Russian nickname after звали/прозвище
    r"(?:звали|зовут|называл\w*|прозвищ\w*|кличк\w*)\s+(?:его|её|ее|меня|их|[а-яё]+)?\s*"
    r"(?:просто\s+)?«([^»\n]{2,30})»",
    r"(?:звали|зовут)\s+(?:его|её|ее)?\s*[^«\n]{0,30}«([^»\n]{2,30})»",
    # '털보'라고 불렀다
    r"['‘\"“]([가-힣A-Za-z-]{1,10})['’\"”]\s*(?:이?라고|라)\s*(?:불렀|부른|부르|부를|부릅|불러|불린|불리|불렸|했)",
    # '꼬마'로 통했다, '곰'이라 불리던, 별명은 '곰'
    r"['‘\"“]([가-힣A-Za-z-]{1,10})['’\"”]\s*(?:으?로|이?라)\s*(?:통했|통하|통한|불리|불렸)",
    r"(?:별명|별칭)(?:은|이|으로)?\s*['‘\"“]([가-힣A-Za-z-]{1,10})['’\"”]",
    # a quoted nickname after the name and an apposition: called X, the ..., "nick"
    r"\bcall(?:ed|s)?\s+(?:[A-Z][\w'’-]*\s*){1,3},[^\"“\n.;]{0,50}?[\"“]([^\"”\n]{2,30})[\"”]",
    # ("gomdori", little bear, was his nickname)
    r"[\"“']([^\"”'\n]{2,20})[\"”'][^.\n]{0,40}\bnickname",
]
NICKNAME_RES = [re.compile(p, re.IGNORECASE) for p in NICKNAME]

# A bare name introduced by a naming phrase: "a man named Jang", "known only
# as Lyosha", "surnamed Pyon", "по фамилии Чан", "по имени Лёша".
NAMED = re.compile(
    r"(?:\b(?:named|surnamed|called|known\s+(?:only\s+)?as|knew\s+(?:him|her|them)?\s*(?:only\s+)?as|"
    r"(?:his|her|my|their)\s+name\s+(?:was|is)|in\s+the\s+name\s+of|"
    r"maiden(?:\s+name)?|n[ée]e)\s+[\"“]?(?:(?:him|her|them)\s+)?"
    r"|(?<!\w)(?:по\s+(?:фамилии|имени|кличке|прозвищу)|некий|некая|некто)\s+)"
    # "in the name of E. LINDQVIST": an initial may lead.
    r"((?:[A-Z]\.\s?)?[A-ZА-ЯЁ][\w'’-]+(?:\s+[A-ZА-ЯЁ][\w'’-]+)?)"
)

ROLE = re.compile(
    r"(?:brigade\s+leader|team\s+leader|group\s+leader|leader|foreman|supervisor|overseer|"
    r"security\s+(?:officer|agent|man|official)|bowibu(?:\s+man)?|political\s+(?:officer|instructor)|"
    r"party\s+secretary|boss|manager|director|guard|minder|official|comrade|"
    r"бригадир\w*|политрук\w*|начальник\w*|мастер\w*|прораб\w*|надзирател\w*|"
    r"безопасност\w*|товарищ\w*|руководител\w*|"
    r"작업반장|반장|지도원|보위\w*|당비서|감독|소장)",
    re.IGNORECASE,
)
# Between the role word and the name there may be a comma, a verb, an article.
ROLE_WINDOW = 45

OCCUPATION = (
    r"(?:plasterer|welder|carpenter|bricklayer|mason|concreter|concrete worker|electrician|plumber|"
    r"painter|tiler|roofer|crane operator|excavator operator|mechanic|logger|lumberjack|feller|"
    r"sawyer|cook|seamstress|tailor|fisherman|waitress|waiter|singer|dancer|cleaner|packer|loader|"
    r"porter|fish processor|sailor|rigger|scaffolder|steel fixer|rebar worker|programmer|"
    r"developer|accountant|interpreter|pastor|missionary|construction worker|factory worker|"
    r"farm worker|mine worker|forestry worker|domestic worker|"
    r"hairdresser|barber|butcher|baker|janitor|watchman|security guard|bodyguard|housekeeper|"
    r"nanny|babysitter|caregiver|dishwasher|fishmonger|vendor|peddler|trader|merchant|"
    r"soldier|sergeant|policeman|police officer|border guard|engineer|technician|surveyor|"
    r"geologist|veterinarian|pharmacist|dentist|midwife|journalist|photographer|"
    r"administrator|manager|director|lecturer|clerk|secretary|shopkeeper|labourer|unemployed|"
    r"translator|nurse|doctor|teacher|school-teacher|driver|miner|farmer|deckhand|welder)"
)
DEM_PATTERNS = [
    rf"\b(?:a|an|as\s+an?|as|the\s+only|the\s+team's|worked\s+as\s+an?|been)\s+"
    rf"(?:[a-z-]+\s+(?:and\s+)?){{0,3}}?{OCCUPATION}s?\b"
    rf"(?:\s+(?:and|or)\s+(?:an?\s+)?{OCCUPATION}s?\b)?(?:\s+of\s+an?\s+[\w-]+)?"
    # where the job is done singles one out: "a dancer in the city art troupe"
    r"(?:\s+(?:in|at|with|for)\s+(?:the|a|an)\s+(?:[a-z-]+\s+){0,3}?"
    r"(?:troupe|band|choir|ensemble|hospital|clinic|school|restaurant|kitchen|workshop|factory|"
    r"plant|mine|yard|shipyard|farm|office|team|crew|unit|company)\b"
    r"|\s+(?:in|on|at)\s+(?:the\s+)?(?:brigade|team|site|camp)(?:\s+\d+)?)?",
    r"\bleader\s+of\s+[\w' ]{0,30}?(?:team|brigade|group|unit)\s+(?:no\.\s*)?\d+",
    r"\b(?:a|an)\s+(?:sergeant|corporal|lieutenant|captain|major|colonel|private|soldier)\b"
    r"[^.;,\n]{0,60}?\b(?:Unit|unit|Division|Brigade|Regiment|Corps)\s*[\d-]+",
    r"(?<!\w)(?:бетонщик|звеньев|вальщик|механик|сварщик|плотник|каменщик|штукатур|электрик|"
    r"крановщик|повар|швея|программист|бригадир|арматурщик|монтажник|разнорабоч|маляр|"
    r"отделочник|кровельщик|стропальщик|лесоруб|рыбообработчи|обработчи|упаковщи|укладчи|уборщи|"
    r"грузчик|официант|раздельщи|филейщи)\w*"
    r"(?:\s+(?:рыбы|морепродуктов|краба|леса|металла))?(?:\s+на\s+участке)?",
    r"(?<!\w)единственн\w+\s+\w+(?:\s+на\s+\w+)?",
    r"(?:용접공|미장공|목수|벌목공|운전수|요리사|재봉공|기계공|전기공|프로그라머|프로그래머|철근공|"
    r"형틀공|조적공|봉사원|접대원|가공공|어로공|선원)",
    # ethnicity that singles a helper out
    r"\b(?:Koryo-saram|Koryoin|Chosonjok|Joseonjok|ethnic\s+[A-Z][a-z]+|[A-Z][a-z]+-American)\b",
    r"(?<!\w)(?:рабоч\w+|водител\w+)-(?:узбек|таджик|киргиз|казах|кореец|китаец)\w*",
    r"(?<!\w)(?:корё-сарам|кореец|кореянка|этническ\w+\s+коре\w+)",
    r"(?:고려인|조선족|재중동포)",
    # the ethnicity or nationality of a helper or boss singles them out:
    # "a Kazakh driver", "the Han Chinese broker", "an Uzbek foreman"
    r"\b(?:[Aa]n?|[Tt]he|[Oo]ur|[Mm]y|[Hh]is|[Hh]er)\s+(?:ethnic\s+)?(?:Han\s+)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?\s+"
    r"(?:driver|broker|smuggler|guide|helper|foreman|boss|guard|pastor|missionary|"
    r"doctor|nurse|lawyer|interpreter|translator|landlord|landlady|employer|neighbour|neighbor|"
    r"trader|merchant|businessman|businesswoman|official|policeman|officer|soldier|farmer)\b",
    # nationality of a named party: "a Somali national", "an Irish citizen"
    r"\b(?:a|an)\s+[A-Z][a-z]+\s+(?:national|citizen)\b",
    # distinctive marks
    r"\b(?:an?\s+)?(?:\d+\s*cm\s+)?(?:scar|burn|tattoo|birthmark)\b[^.;,\n\"”]{0,50}",
    r"\b(?:short|tall|thin|bald|stocky)?,?\s*with\s+an?\s+[\w ]{0,25}?(?:tooth|teeth|scar|beard|"
    r"moustache|mustache|tattoo|glasses)\b",
    r"\bmissing\s+(?:the\s+)?[\w ]{0,40}(?:finger|thumb|toe|hand|ear|eye|leg|arm|joint)s?\b",
    r"\bwalks\s+with\s+a\s+limp[^.;\n]{0,60}",
    r"(?:шрам|шишк\w*|ожог\w*|татуировк\w*|нет\s+\w+\s+пальц\w*)[^.;\n]{0,50}?на\s+(?:лев|прав)\w+\s+\w+",
    r"(?:왼쪽|오른쪽|왼손|오른손|왼|오른)\s?[가-힣]*(?:\s[가-힣]+){0,4}?\s?(?:흉터|마디|손가락)",
]
DEM_RES = [re.compile(p) for p in DEM_PATTERNS]

BODY_EN = (
    r"(?:hands?|arms?|legs?|feet|foot|fingers?|thumbs?|wrists?|ankles?|back|spine|pelvis|hips?|"
    r"ribs?|eyes?|skull|head|knees?|shoulders?|toes?|jaw|teeth|collarbone)"
)
BODY_RU = (
    r"(?:рук\w*|ног\w*|пал(?:ец|ьц)\w*|кист\w*|спин\w*|позвоночник\w*|глаз\w*|р[её]бр\w*|"
    r"голов\w*|стоп\w*|плеч\w*|колен\w*)"
)
BODY_KO = r"(?:팔|다리|손가락|손목|손|발목|발|허리|눈|머리|갈비뼈|어깨|무릎|척추)"
INCIDENT_PATTERNS = [
    r"\bfell\s+(?:from|off)\s+[^.;,\n]{3,40}",
    r"\b(?:left|right)\s+(?:hand|arm|leg|foot)\s+(?:was\s+)?(?:caught|crushed|trapped)\s+in\s+[^.;,\n]{3,30}",
    r"\b(?:A|An|The)\s+\w+\s+(?:came\s+down|fell)\s+on\s+(?:him|her|them)\b",
    r"\b(?:crushed|struck|hit)\s+by\s+(?:a|an|the)\s+\w+(?:\s+\w+)?",
    r"(?<!\w)(?:упал\w*|сорвал\w*)\s+с\s+[^.;,\n]{3,60}",
    r"(?<!\w)(?:придавил\w*|прижал\w*|задавил\w*)\s+[^.;,\n]{3,40}",
    r"[가-힣]+에\s+[가-힣]+(?:를|을)\s+(?:크게\s+)?(?:다쳐|다쳤|잃)",
    # Injuries: a verb of harm and a body part, in the three languages.
    rf"\b(?:lost|broke|broken|burned|burnt|crushed|injured|fractured|severed|hurt|cut\s+off)\s+"
    rf"(?:(?:his|her|their|both|two|three|a|the|one|of|left|right|several)\s+){{0,3}}{BODY_EN}\b"
    r"(?:\s+(?:in|on|under|with|at|between)\s+(?:a|an|the)\s+[\w-]+(?:\s+[\w-]+)?)?",
    rf"(?<!\w)(?:(?:ему|ей|им)\s+)?(?:лишил\w*|сломал\w*|обж[её]г\w*|повредил\w*|отрезал\w*|"
    rf"отрубил\w*|раздробил\w*|придавил\w*|ампутировал\w*|оторвал\w*)\s+(?:\w+\s+){{0,2}}?"
    rf"{BODY_RU}(?:\s+(?:на|в|во|под|о)\s+\w+|\s+[а-яё]+(?:ой|ей)\s+[а-яё]+(?:ой|ей|ом|ем))?",
    rf"(?:[가-힣]+(?:는|은|던)\s+)?[가-힣]+(?:에서|에)\s+(?:[가-힣]+\s+){{0,2}}[가-힣]*{BODY_KO}(?:을|를)\s+(?:크게\s+)?"
    r"(?:데었|데여|다쳐|다쳤|잃었|잃어|부러|잘렸|절단)[가-힣]*",
    rf"(?:[가-힣]+(?:에|에서)\s+(?:깔려|끼여|치여|맞아|떨어져|넘어져)\s+)?[가-힣]*{BODY_KO}"
    r"(?:이|가)\s+(?:크게\s+)?(?:부러|잘려|잘렸|으스러|찢어|절단)[가-힣]*",
    r"[가-힣]+(?:에서|에)\s+(?:[가-힣]+\s+)?(?:동상|화상|골절상|골절|부상|중상|중화상|상처)(?:을|를)\s+"
    r"(?:크게\s+)?입[가-힣]*",
]
INCIDENT_RES = [re.compile(p, re.IGNORECASE) for p in INCIDENT_PATTERNS]


def nicknames(text: str) -> list[Span]:
    out: list[Span] = []
    for rx in NICKNAME_RES:
        for m in rx.finditer(text):
            g = m.group(1).strip()
            # Long quotes are speech, not names.
            if not g or len(g.split()) > 3:
                continue
            s = m.start(1) + (len(m.group(1)) - len(m.group(1).lstrip()))
            out.append(Span(s, s + len(g), PERSON, D))
    return out


def named(text: str) -> list[Span]:
    out: list[Span] = []
    for m in NAMED.finditer(text):
        words = m.group(1).split()
        while words and is_stopword(words[-1]):
            words.pop()
        if not words or is_stopword(words[0]):
            continue
        start = m.start(1)
        out.append(Span(start, start + len(" ".join(words)), PERSON, D))
    return out


def descriptors(text: str) -> list[Span]:
    out = [Span(m.start(), m.end(), DEM, Q) for rx in DEM_RES for m in rx.finditer(text)]
    out += [Span(m.start(), m.end(), MISC, Q) for rx in INCIDENT_RES for m in rx.finditer(text)]
    return [s for s in out if s.end > s.start]


def role_before(text: str, span: Span) -> bool:
    """True when a supervisor/security role introduces this person."""
    window = text[max(0, span.start - ROLE_WINDOW) : span.start]
    # Only the clause directly before the name counts.
    window = re.split(r"[.!?\n;]|\band\b|\bwith\b|\bи\b|\bс\b", window)[-1]
    return bool(ROLE.search(window))


def find(text: str) -> list[Span]:
    return nicknames(text) + named(text) + descriptors(text)
