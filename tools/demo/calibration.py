"""Every number the demo data is calibrated to, with where it comes from.

Sources, abbreviated in the comments below:
  [CR2018]  Cabinet report 28 Nov 2018, Customer Service Transformation Plan (seeds/004)
  [CR2023]  Cabinet report 20 Sep 2023, Customer Experience Strategy 2023-26 (seeds/002)
  [REF]     shared/reference/README.md (published figures collected for calibration)
  [EVENTS]  data/reference/events.csv
  [BRIEF]   the demo-data brief: a plausible assumption where nothing is published

Trends are given as anchors {month or date: value}; a value in between is
interpolated linearly by date and held flat outside the anchors (calendar.trend).
Annual volumes are annualised rates at that month, before --scale.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- general
FIRST_MONTH = "2021-04"  # [EVENTS] the data series starts in April 2021
STRATEGY_ADOPTED = "2023-09-20"  # [CR2023] strategy agreed by Cabinet
HUBS_OPEN = "2023-01-09"  # [EVENTS] five Residents' Hubs open
WEBCHAT_LAUNCH = "2022-04-01"  # [EVENTS] webchat launched for Council Tax and Benefits
HOUSING_IN_HOUSE = "2023-11"  # [EVENTS] housing services brought back in-house
TELEPHONY_GO_LIVE = "2026-02-02"  # [EVENTS] new telephony system goes live

# --------------------------------------------------------------------------- calls
# [REF] "over 400,000 calls a year to the contact centre" (2019); [BRIEF] falling
# to about 300,000 by 2026 as online take-up rises.
CALLS_PER_YEAR = {
    "2021-04": 405_000,
    "2022-04": 390_000,
    "2023-04": 365_000,
    "2024-04": 340_000,
    "2025-04": 318_000,
    "2026-04": 300_000,
    "2026-10": 295_000,
}
OPEN_DAYS_PER_YEAR = 252.5  # Mon-Fri less 8 bank holidays, to turn a yearly rate into a daily one

# [BRIEF] queue mix of the contact centre (council tax the biggest line, then repairs).
QUEUE_SHARE = {
    "council_tax": 0.22,
    "housing_repairs": 0.15,
    "benefits": 0.10,
    "waste": 0.10,
    "housing_options": 0.08,
    "parking": 0.08,
    "adult_social_care": 0.05,
    "street_environment": 0.05,
    "general_enquiries": 0.04,
    "registrars": 0.03,
    "school_admissions": 0.03,
    "childrens_services": 0.025,
    "planning": 0.02,
    "business_rates": 0.02,
    "idea_stores": 0.005,
}

# Month-of-year demand multipliers by service (index 0 = January), normalised to
# a mean of 1 in calendar.py so that annual totals stay on the trend.
# [BRIEF] council tax bills land in March and the new year's queries run into April
# (council_tax and benefits up ~40%); school admissions peak around the secondary
# (31 Oct) and primary (15 Jan) deadlines and the offer days (1 Mar, 16 Apr);
# repairs rise in winter; waste at Christmas collection changes; everyone dips in December.
_FLAT = [1.0] * 12
SEASON = {
    "_default": [1.02, 1.0, 1.02, 1.0, 1.0, 0.99, 1.0, 0.97, 1.02, 1.02, 1.02, 0.86],
    "council_tax": [0.95, 0.98, 1.40, 1.45, 1.05, 0.92, 0.90, 0.85, 0.92, 0.92, 0.92, 0.74],
    "benefits": [0.97, 0.98, 1.38, 1.42, 1.05, 0.93, 0.90, 0.86, 0.93, 0.92, 0.92, 0.76],
    "business_rates": [0.95, 0.95, 1.35, 1.40, 1.05, 0.95, 0.90, 0.85, 0.92, 0.92, 0.92, 0.74],
    "school_admissions": [1.70, 0.95, 1.50, 1.40, 0.80, 0.75, 0.70, 0.60, 1.30, 1.80, 0.90, 0.60],
    "housing_repairs": [1.18, 1.15, 1.02, 0.95, 0.92, 0.90, 0.90, 0.88, 0.95, 1.05, 1.12, 1.02],
    "waste": [1.25, 0.98, 0.98, 1.0, 1.0, 1.02, 1.05, 1.02, 0.98, 0.98, 0.95, 0.95],
    "parking": [0.98, 0.98, 1.0, 1.0, 1.02, 1.02, 1.0, 0.95, 1.08, 1.02, 1.0, 0.90],
}

# [BRIEF] Mondays ~25% busier than the rest of the week. The factor is set above 1.25 x
# Tue-Fri because follow-up calls, spread evenly over the week, dilute it (measured ~+25%).
CALLS_DOW = [1.29, 1.00, 0.97, 0.95, 0.90]
AFTER_BANK_HOLIDAY = 1.28  # the first open day after a closed weekday behaves like a Monday
CHRISTMAS_WEEK = 0.60  # open days between 24 Dec and 1 Jan are quiet
DAILY_NOISE_CV = 0.06  # day-to-day variation beyond Poisson noise

# Intraday arrival profile, 16 half-hour slots from 09:00 to 16:30 [BRIEF] mid-morning peak.
CALLS_INTRADAY = [0.90, 1.25, 1.38, 1.32, 1.22, 1.10, 0.98, 0.88, 0.92, 1.0, 0.96, 0.92, 0.86, 0.80, 0.70, 0.56]
CENTRE_OPENS_S = 9 * 3600  # [BRIEF] open Mon-Fri 09:00-17:00
CENTRE_CLOSES_S = 17 * 3600

# [BRIEF] answer rate ~85% in 2021 improving to ~93-95% by 2026.
ANSWER_RATE = {  # before busy-day dips, which take ~1 point off the year
    "2021-04": 0.862,
    "2022-04": 0.876,
    "2023-04": 0.895,
    "2024-04": 0.922,
    "2025-04": 0.936,
    "2026-01": 0.940,
    "2026-04": 0.958,
}
LOAD_SENSITIVITY = 0.16  # answer rate lost per unit of load above normal (busy days dip)
# Queue-specific differences in answer rate (complex queues are harder to staff).
QUEUE_ANSWER_OFFSET = {"housing_repairs": -0.025, "housing_options": -0.02, "registrars": 0.02, "idea_stores": 0.02}

# [BRIEF] mean speed of answer ~240 s in 2021 falling to ~90 s by 2026.
MEAN_WAIT_S = {
    "2021-04": 240,
    "2022-04": 210,
    "2023-04": 175,
    "2024-04": 135,
    "2025-04": 108,
    "2026-01": 100,
    "2026-04": 88,
}
WAIT_SIGMA = 1.2  # lognormal shape: most calls answered quickly, a long tail
WAIT_LOAD_POWER = 2.0  # waits grow with the square of load
MAX_WAIT_S = 3600
ABANDON_WAIT_FACTOR = 0.8  # abandoned callers give up after ~0.8 x the mean wait (+15 s)

# [EVENTS] new telephony platform 2026-02-02: a 3-4 week dip, then better than before.
# Per week since go-live: (answer-rate change, wait multiplier).
TELEPHONY_DIP = [(-0.09, 2.4), (-0.07, 2.0), (-0.045, 1.6), (-0.02, 1.25)]

# [BRIEF] talk time 3-10 minutes; median ~5.5 min, longer on complex queues.
TALK_MEDIAN_S = 330
TALK_SIGMA = 0.35
QUEUE_TALK_FACTOR = {
    "housing_options": 1.35,
    "adult_social_care": 1.25,
    "childrens_services": 1.2,
    "benefits": 1.15,
    "general_enquiries": 0.8,
    "parking": 0.85,
    "registrars": 0.9,
    "idea_stores": 0.8,
}

# [BRIEF] first contact resolution recorded on ~85% of answered calls; ~68% -> ~80%.
FCR_RECORDED = 0.85
FCR_RATE = {"2021-04": 0.68, "2022-04": 0.70, "2023-04": 0.72, "2024-04": 0.75, "2025-04": 0.78, "2026-04": 0.80}
QUEUE_FCR_OFFSET = {
    "housing_repairs": -0.08,
    "housing_options": -0.10,
    "adult_social_care": -0.06,
    "registrars": 0.08,
    "parking": 0.06,
    "waste": 0.04,
    "council_tax": 0.03,
}

# [BRIEF] repeat calls within 7 days: ~18% (2021) falling to ~12% (2026); ~7% withheld.
REPEAT_RATE = {"2021-04": 0.188, "2022-04": 0.173, "2023-04": 0.16, "2024-04": 0.145, "2025-04": 0.13, "2026-04": 0.12}
WITHHELD = 0.075  # of first calls; follow-ups come from identified callers, so ~7% overall
CALLER_POOL = 500_000  # distinct numbers calling (x scale); also gives chance repeats
# Follow-up delay in open days (0 = later the same day), so nearly all fall inside 7 x 24 h.
FOLLOWUP_DELAY_P = [0.22, 0.36, 0.18, 0.13, 0.11]
FOLLOWUP_SAME_QUEUE = 0.8
# Failure demand: unresolved and abandoned calls are followed up far more often.
FOLLOWUP_WEIGHT = {"abandoned": 2.5, "unresolved": 2.2, "resolved": 0.45, "unrecorded": 1.0}
WARM_UP_OPEN_DAYS = 7  # simulate a week before --start so follow-ups already flow in

# --------------------------------------------------------------------------- contacts
# [BRIEF] online started transactions ~150k/yr (2021) to ~380k/yr (2026).
ONLINE_PER_YEAR = {
    "2021-04": 138_000,
    "2022-04": 176_000,
    "2023-04": 232_000,
    "2024-04": 295_000,
    "2025-04": 345_000,
    "2026-04": 375_000,
    "2026-10": 385_000,
}
# [BRIEF] completion ~78% -> ~88% (GOV.UK completion rate = completed / started [REF]).
ONLINE_COMPLETION = {"2021-04": 0.765, "2022-04": 0.785, "2023-04": 0.805, "2024-04": 0.83, "2025-04": 0.85, "2026-04": 0.868}
ONLINE_SERVICE_COMPLETION_OFFSET = {"parking": 0.06, "waste": 0.05, "housing_options": -0.15, "benefits": -0.08, "planning": -0.06}
EMAIL_PER_YEAR = {"2021-04": 60_000, "2022-04": 57_000, "2023-04": 52_000, "2024-04": 47_000, "2025-04": 43_000, "2026-04": 40_000}
# [EVENTS] webchat from April 2022, [BRIEF] rising to ~45k/yr.
WEBCHAT_PER_YEAR = {"2022-04": 12_000, "2023-04": 25_000, "2024-04": 35_000, "2025-04": 41_000, "2026-04": 45_000}
WEBCHAT_FIRST_SERVICES = ["council_tax", "benefits"]  # [EVENTS] launched for Council Tax and Benefits
WEBCHAT_ALL_SERVICES_FROM = "2023-10"  # [BRIEF] extended to other services under the strategy
SOCIAL_PER_YEAR = {"2021-04": 5_000, "2023-04": 6_500, "2026-04": 8_000}
# Face to face, visits a month: Idea Stores ~700 before the hubs; [REF] "over 18,000
# visits in the first nine months of 2023" at the five Residents' Hubs (~2,000 a month).
# (a dated anchor pair makes the step on the day the hubs open rather than a ramp)
F2F_PER_MONTH = {"2021-04": 700, "2023-01-08": 720, "2023-01-09": 2_000, "2023-12": 2_050, "2024-12": 2_150, "2026-04": 2_250}
F2F_DAY_OPEN_S = 9 * 3600
F2F_DAY_CLOSE_S = 17 * 3600
# [BRIEF] assisted digital on ~30% of face-to-face rising to ~45%.
ASSISTED = {"2021-04": 0.30, "2023-01": 0.34, "2024-04": 0.40, "2026-04": 0.45}

# Day-of-week factors, Monday first, mean 1 over the week ([BRIEF] lower at weekends).
CONTACT_DOW = {
    "online": [1.12, 1.10, 1.10, 1.10, 1.08, 0.76, 0.74],
    "email": [1.25, 1.18, 1.16, 1.16, 1.15, 0.56, 0.54],
    "social_media": [1.05, 1.05, 1.04, 1.04, 1.02, 0.90, 0.90],
    # open-day channels: Mon-Fri only, mean 1 over the five days
    "webchat": [1.15, 1.0, 0.97, 0.96, 0.92],
    "face_to_face": [1.10, 1.02, 1.0, 0.98, 0.90],
}
BANK_HOLIDAY_FACTOR = 0.7  # 24/7 channels on bank holidays

# Hour-of-day profiles (24 values, 00:00 first) for the 24/7 channels [BRIEF].
HOURLY = {
    "online": [0.25, 0.15, 0.10, 0.08, 0.08, 0.15, 0.35, 0.70, 1.10, 1.45, 1.55, 1.55,
               1.50, 1.45, 1.40, 1.35, 1.30, 1.30, 1.35, 1.45, 1.45, 1.30, 0.95, 0.55],
    "email": [0.20, 0.10, 0.08, 0.06, 0.06, 0.10, 0.30, 0.80, 1.50, 1.90, 1.90, 1.80,
              1.60, 1.70, 1.70, 1.60, 1.50, 1.20, 0.90, 0.80, 0.75, 0.65, 0.50, 0.30],
    "social_media": [0.40, 0.25, 0.15, 0.10, 0.10, 0.20, 0.45, 0.80, 1.10, 1.30, 1.35, 1.35,
                     1.40, 1.35, 1.30, 1.30, 1.30, 1.40, 1.50, 1.60, 1.60, 1.45, 1.10, 0.70],
}
# Within opening hours (09:00-17:00), 8 hourly slots.
HOURLY_OPEN = {
    "webchat": [1.15, 1.30, 1.25, 1.10, 0.95, 1.0, 0.80, 0.45],
    "face_to_face": [0.85, 1.25, 1.30, 1.15, 0.95, 1.05, 0.95, 0.50],
}

# Service mix per channel [BRIEF]: online heavy on council tax, parking and waste;
# face to face on housing options and benefits.
SERVICE_MIX = {
    "online": {"council_tax": 0.28, "parking": 0.22, "waste": 0.18, "benefits": 0.07, "housing_repairs": 0.07,
               "street_environment": 0.05, "registrars": 0.03, "school_admissions": 0.03, "planning": 0.025,
               "business_rates": 0.02, "housing_options": 0.01, "general_enquiries": 0.01, "idea_stores": 0.005},
    "email": {"council_tax": 0.18, "housing_repairs": 0.14, "benefits": 0.10, "parking": 0.09, "waste": 0.08,
              "housing_options": 0.08, "planning": 0.07, "general_enquiries": 0.06, "business_rates": 0.05,
              "street_environment": 0.05, "adult_social_care": 0.04, "childrens_services": 0.03,
              "school_admissions": 0.02, "registrars": 0.01},
    "webchat": {"council_tax": 0.35, "benefits": 0.22, "parking": 0.12, "waste": 0.10, "housing_repairs": 0.10,
                "housing_options": 0.05, "general_enquiries": 0.06},
    "social_media": {"waste": 0.35, "street_environment": 0.25, "parking": 0.10, "housing_repairs": 0.10,
                     "general_enquiries": 0.10, "council_tax": 0.05, "idea_stores": 0.05},
    "face_to_face": {"housing_options": 0.25, "benefits": 0.20, "council_tax": 0.15, "housing_repairs": 0.10,
                     "general_enquiries": 0.06, "adult_social_care": 0.06, "parking": 0.05, "registrars": 0.05,
                     "waste": 0.03, "school_admissions": 0.03, "idea_stores": 0.02},
}
# [BRIEF] age band recorded on ~60% online, ~90% face to face, ~40% email/webchat/social.
AGE_RECORDED = {"online": 0.60, "face_to_face": 0.90, "email": 0.40, "webchat": 0.40, "social_media": 0.40}
# Age profile by channel (16-24 ... 65+) [BRIEF]: online young, face to face older
# (65+ ~20% of f2f, ~3% of online); compare the borough 16+ profile in age_bands.csv.
AGE_PROFILE = {
    "online": [0.20, 0.36, 0.23, 0.11, 0.07, 0.03],
    "email": [0.12, 0.28, 0.24, 0.17, 0.12, 0.07],
    "webchat": [0.22, 0.34, 0.22, 0.12, 0.07, 0.03],
    "social_media": [0.25, 0.38, 0.20, 0.10, 0.05, 0.02],
    "face_to_face": [0.09, 0.19, 0.20, 0.18, 0.16, 0.18],
}
CUSTOMER_IDENTIFIED = 0.70  # [BRIEF] customer_hash empty on ~30% of rows
CUSTOMER_POOL = 400_000  # x scale
# Relative footfall of the five sites (Whitechapel is the Town Hall hub).
SITE_WEIGHT = {"Whitechapel": 1.4, "Bow": 0.9, "Canary Wharf": 0.8, "Chrisp Street": 1.0, "Watney Market": 1.0}

# --------------------------------------------------------------------------- channel costs
# [CR2018] para 3.9: phone ~£6 and face to face £10 in 2017/18, digital 8p-19p (Socitm).
# [BRIEF] phone ~£6.20 rising with inflation to ~£6.60, ~£5.90 after the new telephony.
UNIT_COST = {
    "phone": {"2021-04": 6.20, "2022-04": 6.32, "2023-04": 6.46, "2024-04": 6.55, "2025-04": 6.60,
              "2026-01": 6.62, "2026-02": 6.35, "2026-03": 6.05, "2026-04": 5.90},
    "face_to_face": {"2021-04": 10.50, "2023-04": 10.90, "2024-04": 11.15, "2025-04": 11.35, "2026-04": 11.50},
    "online": {"2021-04": 0.15, "2026-04": 0.15},  # per completed transaction, Socitm web £0.15 [REF]
    "email": {"2021-04": 2.45, "2023-04": 2.52, "2026-04": 2.60},
    "webchat": {"2022-04": 2.05, "2023-04": 1.95, "2026-04": 1.80},
    "social_media": {"2021-04": 1.55, "2026-04": 1.65},
}
ONLINE_PLATFORM_PER_MONTH = 4_000.0  # fixed web platform licence and hosting (x scale) [BRIEF]
COST_NOISE_CV = 0.015
COSTS_XLSX_FROM = "2025-04"  # [BRIEF] finance switched to Excel deliveries
COSTS_CORRECTION_MONTH = "2024-03"  # [BRIEF] a month re-delivered as _v2 with one channel changed
COSTS_CORRECTION_CHANNEL = "face_to_face"
COSTS_CORRECTION_FACTOR = 1.08  # a late recharge of hub premises costs

# --------------------------------------------------------------------------- complaints
# [REF] housing complaints 2024/25: 2,011 at stage 1 and 374 at stage 2; [BRIEF] about
# 2,000 stage 1 a year across the council (~170 a month).
STAGE1_PER_MONTH = {"2021-04": 160, "2023-10": 164, "2023-11": 176, "2024-04": 182, "2026-04": 172}
COMPLAINT_SEASON = [1.12, 1.05, 1.08, 1.0, 0.97, 0.95, 0.93, 0.88, 1.0, 1.02, 1.05, 0.85]
COMPLAINT_WEEKEND_WEIGHT = 0.25  # online forms arrive at weekends too, fewer
COMPLAINT_SERVICE_MIX = {
    "housing_repairs": 0.30, "council_tax": 0.12, "waste": 0.12, "housing_options": 0.10, "parking": 0.10,
    "benefits": 0.07, "street_environment": 0.05, "adult_social_care": 0.04, "childrens_services": 0.03,
    "planning": 0.03, "school_admissions": 0.015, "general_enquiries": 0.01, "registrars": 0.005,
    "business_rates": 0.005, "idea_stores": 0.005,
}
COMPLAINT_CATEGORIES = {
    "_common": ["Staff conduct", "Communication", "Delay in service"],
    "council_tax": ["Billing error", "Enforcement action", "Refund delay", "Discount or exemption"],
    "business_rates": ["Billing error", "Relief application"],
    "benefits": ["Assessment delay", "Overpayment recovery", "Incorrect assessment"],
    "registrars": ["Appointment availability", "Certificate error"],
    "general_enquiries": ["Could not get through", "Wrong information given"],
    "parking": ["Penalty charge notice", "Permit application", "Enforcement conduct"],
    "waste": ["Missed collection", "Bulky waste booking", "Bin not returned", "Fly-tipping not cleared"],
    "street_environment": ["Street cleaning", "Graffiti", "Pothole or pavement"],
    "planning": ["Application handling", "Enforcement not taken"],
    "housing_options": ["Temporary accommodation", "Homelessness decision", "Housing register"],
    "housing_repairs": ["Repair delay", "Damp and mould", "Repair quality", "Missed appointment"],
    "adult_social_care": ["Care package", "Assessment delay", "Charging"],
    "childrens_services": ["Assessment or plan", "Early help"],
    "school_admissions": ["School place offer", "Appeal process"],
    "idea_stores": ["Opening hours", "Facilities"],
}
# [BRIEF] stage 1 on time (<= 10 working days) ~80% -> ~90%; stage 2 (<= 20) ~75% -> ~88%.
STAGE1_ON_TIME = {"2021-04": 0.80, "2022-04": 0.82, "2023-04": 0.84, "2024-04": 0.87, "2025-04": 0.89, "2026-04": 0.90}
STAGE2_ON_TIME = {"2021-04": 0.73, "2022-04": 0.76, "2023-04": 0.80, "2024-04": 0.84, "2025-04": 0.86, "2026-04": 0.88}
STAGE1_DAYS = 10  # complaint_timescales.csv
STAGE2_DAYS = 20
OUTCOMES = ["upheld", "partly_upheld", "not_upheld", "withdrawn"]
STAGE1_OUTCOME_P = [0.25, 0.20, 0.50, 0.05]  # [BRIEF]
STAGE2_OUTCOME_P = [0.12, 0.18, 0.65, 0.05]  # [BRIEF] stage 2 upholds less often
# Escalation to stage 2 by stage 1 outcome: ~17% overall ([REF] 374 / 2,011 = 18.6% for housing).
ESCALATE_P = {"upheld": 0.08, "partly_upheld": 0.16, "not_upheld": 0.245, "withdrawn": 0.0}
STAGE2_AFTER_DAYS = (2, 28)  # a resident asks for a review within weeks of the stage 1 answer
# Ombudsman: ~1.5-2% of cases (30-40 a year [REF]: 30 investigated 2022-23, 39 in 2023-24).
OMBUDSMAN_P = 0.105  # of answered, non-withdrawn stage 2 cases
OMBUDSMAN_AFTER_DAYS = (20, 120)
OMBUDSMAN_DECISION_DAYS = (60, 270)
# [REF] LGSCO upheld 22/30 = 73% in 2022-23 and 34/39 = 87% in 2023-24; by financial year of decision.
OMBUDSMAN_UPHELD = {2020: 0.70, 2021: 0.70, 2022: 0.73, 2023: 0.87, 2024: 0.80, 2025: 0.78, 2026: 0.76}
REMEDY_P = {"1": 0.25, "2": 0.45, "ombudsman": 0.65}  # of upheld / partly upheld cases
REMEDY_AMOUNTS = {
    "1": [25, 50, 50, 75, 100, 100, 150, 200, 250, 500],
    "2": [50, 100, 150, 200, 250, 300, 400, 500],
    "ombudsman": [150, 250, 300, 500, 750, 1000, 1500],
}
WARD_RECORDED = 0.88  # [BRIEF] ward empty on ~12%

# --------------------------------------------------------------------------- surveys
LIKERT = ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree", "Don't know"]
SATISFACTION = ["Very satisfied", "Satisfied", "Neither satisfied nor dissatisfied", "Dissatisfied", "Very dissatisfied"]

# Resident waves: (n, fieldwork day range, weighted?, question -> (positive, negative, don't know)).
# Neither = the remainder. [CR2023] para 3.14 for 2021-06 and 2023-06; later waves [BRIEF]
# drift a few points a year, hard_to_reach_by_phone falling (new telephony 2026).
RESIDENT_WAVES = {
    "2021-06": {
        "n": 1108, "weighted": True,
        "answers": {
            "council_friendly_polite": (0.73, 0.16, 0.11),
            "council_hard_to_reach_by_phone": (0.59, 0.27, 0.14),
            "council_responds_quickly": (0.44, 0.43, 0.13),
            "council_doing_good_job": (0.32, 0.33, 0.10),
        },
    },
    "2023-06": {
        "n": 1108, "weighted": True,
        "answers": {
            "staff_helpful_polite": (0.83, 0.01, 0.0),
            "staff_knowledgeable": (0.76, 0.01, 0.0),
            "access_easy": (0.67, 0.03, 0.0),
            "responded_on_time": (0.66, 0.03, 0.0),
            "right_person_first_time": (0.56, 0.06, 0.0),
        },
    },
    "2024-06": {
        "n": 1092, "weighted": True,
        "answers": {
            "council_friendly_polite": (0.76, 0.14, 0.10), "council_hard_to_reach_by_phone": (0.53, 0.32, 0.13),
            "council_responds_quickly": (0.47, 0.40, 0.12), "council_doing_good_job": (0.37, 0.30, 0.10),
            "staff_helpful_polite": (0.84, 0.02, 0.01), "staff_knowledgeable": (0.78, 0.02, 0.01),
            "access_easy": (0.70, 0.03, 0.01), "responded_on_time": (0.68, 0.04, 0.01),
            "right_person_first_time": (0.59, 0.06, 0.01),
        },
    },
    "2025-06": {
        "n": 1140, "weighted": False,  # delivered unweighted: the pipeline rakes it
        "answers": {
            "council_friendly_polite": (0.78, 0.13, 0.09), "council_hard_to_reach_by_phone": (0.48, 0.36, 0.13),
            "council_responds_quickly": (0.50, 0.38, 0.11), "council_doing_good_job": (0.41, 0.28, 0.10),
            "staff_helpful_polite": (0.85, 0.02, 0.01), "staff_knowledgeable": (0.79, 0.02, 0.01),
            "access_easy": (0.72, 0.03, 0.01), "responded_on_time": (0.70, 0.04, 0.01),
            "right_person_first_time": (0.62, 0.05, 0.01),
        },
    },
    "2026-06": {
        "n": 1064, "weighted": True,
        "answers": {
            "council_friendly_polite": (0.80, 0.12, 0.08), "council_hard_to_reach_by_phone": (0.41, 0.42, 0.12),
            "council_responds_quickly": (0.53, 0.36, 0.10), "council_doing_good_job": (0.45, 0.26, 0.09),
            "staff_helpful_polite": (0.86, 0.02, 0.01), "staff_knowledgeable": (0.81, 0.02, 0.01),
            "access_easy": (0.75, 0.03, 0.01), "responded_on_time": (0.73, 0.03, 0.01),
            "right_person_first_time": (0.65, 0.05, 0.01),
        },
    },
}
RESIDENT_BLANK = 0.012  # an answer left blank (not answered)
STRONGLY_SHARE = 0.38  # of positive answers, "Strongly agree"
STRONGLY_NEG_SHARE = 0.35  # of negative answers, "Strongly disagree"
# Realistic group differences in the latent score (standard-deviation units) [BRIEF]:
# 65+ and disabled residents find access harder, older residents find the phone harder.
GROUP_EFFECTS = {
    "access_easy": {"65+": -0.25, "55-64": -0.08, "disabled": -0.2},
    "right_person_first_time": {"65+": -0.25, "disabled": -0.2},
    "responded_on_time": {"disabled": -0.15},
    "council_hard_to_reach_by_phone": {"65+": 0.3, "55-64": 0.15, "disabled": 0.25},
    "council_doing_good_job": {"16-24": 0.1, "65+": -0.1},
}
# [CR2023] para 3.12: the 2023 resident sample (n = 1,108) as published.
SAMPLE_2023 = {
    "gender": {"Male": 0.50, "Female": 0.50},
    "age_band": {"16-24": 0.16, "25-34": 0.28, "35-44": 0.23, "45-54": 0.16, "55-64": 0.11, "65+": 0.07},
    "ethnicity": {"White": 0.50, "Mixed": 0.03, "Asian": 0.37, "Black": 0.08, "Other": 0.01},
    "ward_name": {
        "Whitechapel": 6, "Weavers": 4, "Stepney Green": 4, "Bethnal Green West": 6, "St Katharine's & Wapping": 4,
        "St Dunstan's": 4, "Spitalfields & Banglatown": 4, "Shadwell": 5, "Poplar": 3, "Mile End": 6,
        "Limehouse": 2, "Lansbury": 7, "Island Gardens": 5, "Canary Wharf": 6, "Bromley South": 5,
        "Bromley North": 4, "Bow West": 5, "Bow East": 6, "Blackwall & Cubitt Town": 7, "Bethnal Green East": 7,
    },
}
# Other waves: commissioned face-to-face / phone samples look much like 2023's [BRIEF].
SAMPLE_OTHER = {
    "gender": {"Male": 0.49, "Female": 0.51},
    "age_band": {"16-24": 0.15, "25-34": 0.29, "35-44": 0.23, "45-54": 0.15, "55-64": 0.11, "65+": 0.07},
    "ethnicity": {"White": 0.47, "Mixed": 0.04, "Asian": 0.39, "Black": 0.08, "Other": 0.02},
}
DISABLED_SHARE = 0.13  # [REF] 12.9% disabled (Census 2021)
WEIGHT_TRIM = (0.3, 3.0)  # [BRIEF] rim weights trimmed to [0.3, 3]

# Business survey [CR2023] para 3.12-3.13: n = 50, 98% find the Customer Promise clear;
# businesses less favourable than residents on contacting the council.
BUSINESS_WAVES = {
    "2023-06": {"n": 50, "answers": {"biz_easy_to_contact": (0.48, 0.30, 0.02), "biz_promise_clear": (0.98, 0.0, 0.0)}},
    "2025-06": {"n": 60, "answers": {"biz_easy_to_contact": (0.55, 0.25, 0.02), "biz_promise_clear": (0.95, 0.02, 0.0)}},
}
# Businesses cluster in the commercial wards.
BUSINESS_WARD_WEIGHT = {"Canary Wharf": 5.0, "Spitalfields & Banglatown": 4.0, "Whitechapel": 2.5, "Weavers": 2.0,
                        "Blackwall & Cubitt Town": 1.8, "St Katharine's & Wapping": 1.6}
# Staff survey [CR2023] para 3.12-3.13: n = 145 (2023), 31% had customer service
# training, 60%-77% support the vision; later waves rise with the training programme.
STAFF_WAVES = {
    "2023-07": {"n": 145, "answers": {"staff_had_cs_training": (0.31, 0.55, 0.03),
                                     "staff_support_vision": (0.68, 0.08, 0.06), "staff_empowered": (0.52, 0.25, 0.03)}},
    "2024-07": {"n": 310, "answers": {"staff_had_cs_training": (0.55, 0.35, 0.02),
                                     "staff_support_vision": (0.72, 0.07, 0.05), "staff_empowered": (0.56, 0.22, 0.03)}},
    "2025-07": {"n": 290, "answers": {"staff_had_cs_training": (0.76, 0.16, 0.02),
                                     "staff_support_vision": (0.75, 0.06, 0.05), "staff_empowered": (0.61, 0.19, 0.03)}},
    "2026-07": {"n": 300, "answers": {"staff_had_cs_training": (0.86, 0.09, 0.01),
                                     "staff_support_vision": (0.77, 0.06, 0.04), "staff_empowered": (0.64, 0.17, 0.03)}},
}
# Transactional (post-contact) survey [BRIEF]: 350-450 a month, satisfaction ~72% -> ~82%
# ([REF] ICS UK CSI local public services 75.4).
TXN_PER_MONTH = (350, 450)
TXN_SATISFIED = {"2021-04": 0.73, "2022-04": 0.75, "2023-04": 0.77, "2024-04": 0.80, "2025-04": 0.82, "2026-04": 0.83}
TXN_CHANNEL_OFFSET = {"phone": -0.03, "online": 0.02, "email": -0.04, "webchat": 0.03, "face_to_face": 0.06,
                      "social_media": -0.07}
TXN_PHONE_PEAK_PENALTY = 0.07  # phone in the council tax peak (March, April)
TXN_EASY_GAP = -0.03  # "easy" runs a little below "satisfied"
TXN_DEMOGRAPHICS = 0.70  # [BRIEF] demographics filled for ~70%
# Who answers the post-contact survey, by channel (phone share falls as online rises).
TXN_CHANNEL_MIX = {
    "2021-04": {"phone": 0.50, "online": 0.26, "email": 0.10, "webchat": 0.0, "face_to_face": 0.10, "social_media": 0.04},
    "2023-04": {"phone": 0.42, "online": 0.30, "email": 0.08, "webchat": 0.06, "face_to_face": 0.10, "social_media": 0.04},
    "2026-04": {"phone": 0.34, "online": 0.36, "email": 0.06, "webchat": 0.09, "face_to_face": 0.11, "social_media": 0.04},
}

# --------------------------------------------------------------------------- workforce and training
# [BRIEF] ~4,300 staff in 2021 growing to ~4,800; housing brought in-house 2023-11 (+~600).
HEADCOUNT = {
    "Resources": {"2021-04": 1150, "2026-10": 1110},
    "Place": {"2021-04": 1050, "2026-10": 1040},
    "Housing and Regeneration": {"2021-04": 500, "2023-10": 510, "2023-11": 1115, "2026-10": 1130},
    "Health, Adults and Community": {"2021-04": 800, "2026-10": 790},
    "Children and Culture": {"2021-04": 800, "2026-10": 770},
}
HEADCOUNT_NOISE = 0.004
# Share of headcount with a customer_service completion by month end [BRIEF]: ~22% in
# April 2021, 31% by July 2023 ([CR2023] staff survey), ~85-90% by 2026.
CS_TRAINED = {"2021-04": 0.215, "2023-07": 0.30, "2023-10": 0.32, "2024-03": 0.46, "2024-09": 0.62,
              "2025-03": 0.75, "2025-09": 0.83, "2026-03": 0.87, "2026-10": 0.895}
# Directorates differ: customer-facing Resources ahead, the newly in-house housing staff behind.
CS_TRAINED_OFFSET = {"Resources": 0.08, "Place": -0.01, "Housing and Regeneration": -0.05,
                     "Health, Adults and Community": -0.01, "Children and Culture": -0.02}
OTHER_COURSES = {  # cumulative share trained, same shape
    "data_protection": {"2021-04": 0.62, "2023-04": 0.78, "2026-10": 0.93},
    "equality_diversity": {"2021-04": 0.40, "2023-04": 0.55, "2026-10": 0.78},
    "safeguarding": {"2021-04": 0.30, "2023-04": 0.38, "2026-10": 0.52},
}
SAFEGUARDING_DIRECTORATES = {"Health, Adults and Community": 1.6, "Children and Culture": 1.6,
                             "Housing and Regeneration": 1.0, "Place": 0.5, "Resources": 0.4}
TRAINING_HISTORY_FROM = "2018-11"  # completions before the series began ([CR2018] plan adopted)

# --------------------------------------------------------------------------- action plan
ACTION_PLAN_FROM = "2023-10"  # first status report after adoption (20 Sep 2023)
# (action_id, title, owner_role, start month, due month, completed month or None).
# Titles from the strategy's outcomes [CR2023] and the brief; owners are roles, never names.
ACTIONS = [
    ("CX1-01", "Open five Residents' Hubs with assisted digital support", "Head of Customer Service", "2023-10", "2024-03", "2024-02"),
    ("CX1-02", "Replace the telephony platform", "Head of Customer Service", "2024-04", "2026-01", "2026-03"),
    ("CX1-03", "Introduce a single customer account", "Head of Digital Services", "2023-11", "2025-03", "2025-07"),
    ("CX1-04", "Digital inclusion support at Idea Stores", "Head of Idea Stores", "2023-10", "2024-09", "2024-09"),
    ("CX1-05", "Make the council website meet WCAG 2.2 AA", "Head of Digital Services", "2024-01", "2024-12", "2025-02"),
    ("CX1-06", "Extend webchat to housing repairs and parking", "Head of Customer Service", "2023-10", "2024-06", "2024-05"),
    ("CX1-07", "Offer a call-back instead of waiting in the phone queue", "Head of Customer Service", "2024-06", "2025-06", None),
    ("CX1-08", "Interpreting and translation offer at every hub", "Head of Customer Service", "2024-01", "2024-06", "2024-06"),
    ("CX1-09", "Online booking for Residents' Hub appointments", "Head of Digital Services", "2024-03", "2024-09", "2024-11"),
    ("CX1-10", "Review hub and contact centre opening hours with residents", "Director of Customer Services", "2025-01", "2025-09", "2025-09"),
    ("CX2-01", "Customer insight dashboard for the Transformation Board", "Head of Performance and Intelligence", "2023-10", "2024-06", "2024-08"),
    ("CX2-02", "Complaints improvement plan", "Head of Complaints and Information Governance", "2023-10", "2024-03", "2024-03"),
    ("CX2-03", "Self-assessment against the Housing Ombudsman Complaint Handling Code", "Head of Complaints and Information Governance", "2024-01", "2024-06", "2024-06"),
    ("CX2-04", "Post-contact satisfaction survey on every channel", "Head of Customer Service", "2024-01", "2024-09", "2024-10"),
    ("CX2-05", "Annual resident survey of customer experience", "Head of Strategy and Policy", "2024-03", "2024-07", "2024-07"),
    ("CX2-06", "Root-cause review of repeat calls (failure demand)", "Head of Customer Service", "2024-06", "2025-03", "2025-05"),
    ("CX2-07", "Single view of the customer in the CRM", "Head of Digital Services", "2024-09", "2026-03", None),
    ("CX2-08", "Council tax moves and direct debits fully online", "Head of Revenues and Benefits", "2024-04", "2025-09", "2025-08"),
    ("CX2-09", "Learning from complaints reported quarterly to CMT", "Head of Complaints and Information Governance", "2024-01", "2024-12", "2024-12"),
    ("CX2-10", "Pilot AI-assisted triage of web enquiries", "Head of Digital Services", "2025-09", "2026-09", None),
    ("CX3-01", "Roll out customer service training to all staff", "Director of Human Resources", "2023-10", "2026-03", "2026-05"),
    ("CX3-02", "Publish customer service standards", "Director of Customer Services", "2023-10", "2024-03", "2024-03"),
    ("CX3-03", "Refresh the Customer Promise with residents", "Director of Customer Services", "2023-12", "2024-06", "2024-06"),
    ("CX3-04", "Customer service champions in every directorate", "Head of Customer Service", "2024-01", "2024-09", "2024-12"),
    ("CX3-05", "Customer service objectives in every staff appraisal", "Director of Human Resources", "2024-04", "2025-03", None),
    ("CX3-06", "Institute of Customer Service ServiceMark accreditation", "Director of Customer Services", "2025-04", "2026-09", None),
    ("CX3-07", "Annual staff survey on customer culture", "Director of Human Resources", "2024-03", "2024-07", "2024-07"),
    ("CX3-08", "Recognition scheme for excellent customer service", "Director of Human Resources", "2024-04", "2024-12", "2025-01"),
    ("CX3-09", "Customer Promise module in the induction for new starters", "Head of Learning and Organisational Development", "2023-11", "2024-06", "2024-05"),
    ("CX3-10", "Engage businesses on the customer service they receive", "Head of Economic Development", "2024-01", "2025-06", "2025-06"),
]
AT_RISK_BLIP_P = 0.05  # chance an on-track action is reported at risk for a month or two

# --------------------------------------------------------------------------- faults
ROW_FAULT_RATE = 0.0005  # [BRIEF] ~0.05% of calls and contacts rows
CALL_CORRECTION_RATE = 0.003  # [BRIEF] ~0.3% of calls re-delivered next day with FCR filled
