/**
 * What kind of claim a sentence of a customer reply makes, by deterministic patterns. A claim asserts or
 * promises a billing state change (done, under way or to come), a charge or non-charge, a date or duration, a
 * guarantee, or a tax or legal position. Describing a request for approval, a draft, a question, the
 * customer's own wish, sympathy, a refusal or a hedge is not a claim: those phrases are removed before the
 * action patterns run, so "I drafted a refund request for approval" claims nothing while "we reviewed your
 * account and refunded $50" still does. Dates, guarantees, tax and legal patterns run on the whole sentence.
 */

/** What a claim is about. */
export type ClaimKind =
  | 'refund'
  | 'credit'
  | 'discount'
  | 'cancellation'
  | 'plan'
  | 'invoice'
  | 'charge'
  | 'no_charge'
  | 'date'
  | 'guarantee'
  | 'tax'
  | 'legal';

const MONTH = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`;
const WEEKDAY = `(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri)`;
const COUNT = String.raw`(?:\d+|a few|a couple(?: of)?|few|several|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty|thirty|forty-five|sixty|ninety|a|an)`;
const SPAN = String.raw`(?:${COUNT}(?:\s*(?:[-–—]|to|or)\s*${COUNT})?\s+(?:more\s+)?(?:business\s+|working\s+|calendar\s+|bank\s+)?(?:hours?|days?|weeks?|months?|minutes?|billing cycles?))`;
const FUTURE = `(?:will|'ll|shall|won't|going to|gonna|should|expect|is scheduled|are scheduled|is due to|are due to)`;
const BILLING = `(?:refund|credit|charge|payment|invoice|bill|subscription|plan|discount|coupon|money|account|card|price|fee|cost|renewal|balance|cancel)`;
/** A billing word that names a team or a page, not money ("the billing team", "the refund policy"). */
const NOT_MONEY = String.raw`(?!\w*\s+(?:team|department|specialists?|colleagues?|support|contact|address|email|portal|page|settings|policy|polic(?:y|ies)|queries|questions?|ops|operations)\b)`;
/**
 * The rest of a clause, up to punctuation, a dash, or a new clause with its own subject ("… and I've refunded",
 * "… we have refund"): what a non-claim phrase ("sorry for the trouble", "as you asked") may remove, so the claim
 * written after it in the same sentence survives.
 */
const CLAUSE = String.raw`(?:(?!\s+(?:and|but|so|then|which|while|as|since|because|plus)\s+(?:I|we|it|this|that|they|the|your|you'll|you will)\b|\s+(?:I|we)\b)[^,;.:!?—–])*`;

/** Verbs that say a request was carried out, not merely made. */
const DONE = `approved|processed|completed|actioned|granted|accepted|honou?red|executed|fulfilled|done|put through|carried out|sorted|resolved`;

/** Phrases that are not claims: removed before the action patterns run. */
const NOT_CLAIMS: RegExp[] = [
  // Handing something to a person to decide: the whole clause is about the request.
  /\b(?:sent|send|sending|passed|pass|forwarded|handed|submitted|escalated|routed|raised|shared|queued|referred|put)\b[^,;.]*?\b(?:for|to)\s+(?:\w+\s+){0,4}?(?:approval|review\w*|sign[- ]off|approv\w*|decid\w*|consider\w*)\b[^,;.]*/gi,
  /\b(?:asked|asking|ask|requested|requesting)\b[^,;.]*?\bto\s+(?:approve|review|look at|look into|consider|sign off|decide|check|confirm)\b[^,;.]*/gi,
  // A request, a draft, a proposal, a review: what a person will decide, not what was decided.
  // (Not when the request is done: "your refund request has been approved and processed", "I've actioned your
  // cancellation request".)
  new RegExp(
    String.raw`(?<!\b(?:${DONE})\s+(?:your|the|this|that)\s+)\b(?:refund|credit|cancellation|cancel|discount|coupon|plan[- ]change|downgrade|upgrade|waiver|billing)\s+(?:request|application|ticket|case|query|question|enquiry|inquiry|form|policy|policies|terms|option|process|rule|team|department|specialist|colleague)s?\b(?!\s+(?:has|have|was|were|is|are)\s+(?:now\s+|just\s+|already\s+)?(?:been\s+)?(?:${DONE})\b)`,
    'gi',
  ),
  /\b(?:request(?:s|ed|ing)?|drafted|draft(?:ing|s)?|prepared?|propos(?:e|ed|al|ing)|recommend(?:ed|ing)?|suggest(?:ed|ing)?|submit(?:ted|ting)?|queued?|raised?|open(?:ed)?|log(?:ged)?|flag(?:ged)?|escalat(?:e|ed|ing))\s+(?:(?:a|an|the|your|this|that|for|to|of|my|our|one|possible|potential|partial|full|goodwill|\$?\d[\d,.]*|[$€£₹¥]\d[\d,.]*)\s+){0,5}(?:\w+\s+)?(?:refund|credit|cancellation|discount|coupon|reimbursement|plan change|downgrade|upgrade|waiver)s?\b/gi,
  /\b(?:review|reviewing|reviewed|approve|approving|consider|considering|assess|assessing|evaluate|evaluating|investigate|investigating|look(?:ing)? into|check(?:ing)? (?:on|whether|if)|decide on|sign off on|authori[sz]e|authori[sz]ing)\s+(?:(?:a|an|the|your|this|that|whether|if|we|can|could|issue|offer|apply|give|possible|potential|partial|full|goodwill)\s+){0,5}(?:\w+\s+)?(?:refund|credit|cancellation|discount|coupon|reimbursement|plan change|downgrade|upgrade|waiver)s?\b/gi,
  /\b(?:for|awaiting|pending|needs?|requires?|subject to|waiting (?:for|on)|after|until)\s+(?:(?:a|an|the|their|second|manager|finance|colleague'?s?|team)\s+){0,3}(?:approval|sign[- ]off|review)\b/gi,
  /\b(?:once|if|when|after|as soon as)\s+(?:it(?:'s| is| has been)?|this(?: is| has been)?|that(?: is| has been)?|the (?:request|refund|credit)(?: is| has been)?)\s+(?:approved|signed off|reviewed)\b[^,;]*/gi,
  /^(?:if|once|when|after)\s+(?:it'?s\s+|it is\s+|this is\s+|that is\s+)?approved\b.*$/gi,
  /\b(?:if|once|when)\s+approved\b[^,;]*/gi,
  // The customer's own wish, question or doing, restated.
  new RegExp(
    String.raw`\b(?:you(?:'d| would)? like|you(?:'ve| have)? asked|you (?:want|wanted|requested|mentioned|said|wrote|wish|asked|think|thought|believe|were expecting|expected|were told|were promised)|your (?:question|message|email|note|request|ask)|you're asking|you are asking|you were hoping|you(?:'re| are) (?:wondering|hoping|expecting))\b${CLAUSE}`,
    'gi',
  ),
  new RegExp(String.raw`\bif you(?:'d| would)? (?:like|want|wish|prefer|decide|choose|need|ever want)\b${CLAUSE}`, 'gi'),
  new RegExp(
    String.raw`\byou\s+(?:just\s+|already\s+|recently\s+|yourself\s+|then\s+)?(?:upgraded|downgraded|cancel+ed|switched|changed|added|removed|moved|bought|purchased|signed up|made the change|paid|topped up|renewed)\b${CLAUSE}`,
    'gi',
  ),
  // Self-service and how-to: the customer acting, not us.
  /\byou (?:can|could|may|are able to|'re able to|can always)\s+(?:also\s+)?(?:cancel|upgrade|downgrade|change|switch|update|manage|remove|request|apply for|ask for|reach)\b[^,;.]*/gi,
  /\b(?:how to|steps to|option to|ability to|way to|in order to)\s+(?:cancel|upgrade|downgrade|change|switch|request)\b[^,;.]*/gi,
  /^to (?:cancel|upgrade|downgrade|change|switch)\b[^,;]*/gi,
  // Sympathy and acknowledgement: about what happened to the customer.
  new RegExp(
    String.raw`\b(?:sorry|apologi[sz]e|apologies|understand(?:able)?|frustrat\w*|annoying|inconvenien\w*|i know how|i can see (?:why|how)|thanks for|thank you for)\b${CLAUSE}`,
    'gi',
  ),
  // A record looked for and not found, or a fact checked: no state change.
  /\b(?:no (?:record|sign|trace|evidence)|can't see|cannot see|can't find|cannot find|couldn't find|could not find|don't see|do not see|didn't find|did not find)\s+(?:of\s+)?(?:a|an|any|the)?\s*(?:\w+\s+)?(?:refund|credit|discount|cancellation|payment|charge|coupon)s?\b/gi,
  // Refusals, not-yet and hedges: no state change asserted.
  /\b(?:can't|cannot|can not|unable to|not able to|won't be able to|not in a position to|haven't|have not|hasn't|has not|hadn't|didn't|did not|isn't|is not|aren't|are not|wasn't|not yet|no longer able|don't|do not|doesn't|does not)\s+(?:yet\s+)?(?:\w+\s+){0,3}?(?:refund|credit|cancel|discount|coupon|waive|upgrade|downgrade|switch|move|change|reimburse|void|retry)\w*\b/gi,
  /\b(?:may|might|possibly|perhaps|potentially|could potentially|would need to|we'd need to|would have to)\s+(?:be\s+)?(?:able to\s+|eligible\s+|qualify\s+|possible\s+)?(?:\w+\s+){0,3}?(?:refund|credit|cancel|discount|coupon|waive|upgrade|downgrade|switch|move|change|reimburse)\w*\b/gi,
  new RegExp(String.raw`\bwhether\b${CLAUSE}`, 'gi'),
  /\b(?:possible|potential|any possible)\s+(?:\w+\s+)?(?:refund|credit|cancellation|discount|coupon|reimbursement|plan change|downgrade|upgrade|waiver)s?\b/gi,
  // A button or menu label quoted in how-to steps.
  /"[^"]{1,40}"|“[^”]{1,40}”/g,
];

/**
 * A sentence whose action waits on someone's approval ("If finance signs off, we could apply a $50 credit",
 * "Subject to manager approval, I can offer 15% off", "Once billing has approved it, a credit would be added"):
 * an offer, not a claim. Dates in it are still read.
 */
const AWAITS_APPROVAL = [
  /\b(?:if|once|when|provided(?: that)?|providing|assuming|as long as|as soon as|after)\s+(?:[\w'’-]+\s+){0,5}?(?:approves?|signs? (?:it |this |that )?off|okays?|oks|authori[sz]es?|agrees?|gives? (?:it |us |me )?(?:the )?(?:go-ahead|green light|ok|okay|nod)|(?:is|are|gets?|has been|have been|'s|been)\s+(?:approved|signed off|authori[sz]ed|okayed|agreed)|(?:has|have)\s+approved)\b/i,
  /\b(?:subject to|pending|conditional on|dependent on|depending on)\s+(?:[\w'’-]+\s+){0,3}?(?:approval|sign[- ]off|authori[sz]ation|review|agreement|go-ahead)\b/i,
];

/** A sentence explaining a line of an invoice ("The £4.17 credit on line 2 is the proration for …"), not an action. */
const EXPLAINS_A_LINE =
  /^\W*(?:the|this|that)\b(?:(?!\b(?:I|we)\b)[^.])*?\b(?:line|line item|entry|row)\b(?:(?!\b(?:I|we)\b)[^.])*?\b(?:is|represents|reflects|shows|covers|comes from|relates to|was|means|is for|was for)\b(?:(?!\b(?:I|we|I've|we've|will|'ll)\b)[^.])*$/i;

/** Removes the phrases that are not claims. */
export function withoutNonClaims(sentence: string): string {
  if (AWAITS_APPROVAL.some((pattern) => pattern.test(sentence)) || EXPLAINS_A_LINE.test(sentence)) return '';
  let text = sentence;
  for (const pattern of NOT_CLAIMS) text = text.replace(pattern, ' ');
  return text;
}

const REFUND = [
  /\brefund(?:s|ed|ing)?\b/i,
  /\breimburs\w*/i,
  /\bmoney back\b/i,
  /\brevers(?:e|ed|ing|al)\b(?=.*\b(?:charge|payment|transaction|fee)s?\b)|\b(?:charge|payment|transaction)s?\s+(?:has|have|was|were|is|are)\s+(?:been\s+)?reversed\b/i,
  /\b(?:send|sent|sending|return(?:ed|ing)?|put(?:ting)?|paid|pay(?:ing)?|going|gone|be|is|are|land(?:ing)?|head(?:ing|ed)?)\s+(?:\w+\s+){0,4}?back\s+(?:to|on|onto|into|in)\s+(?:your|the)\b/i,
  /\b(?:money|funds)\b[^.]*\b(?:reach|arrive|land|appear|show up|be back|be returned|returned|clear)\w*\b/i,
  /\b(?:receive|get|getting|have|see)\s+(?:\w+\s+){0,4}?back\b(?!\s+to\s+(?:you|us|me|them))|\b(?:returned|sent back|paid back)\s+(?:to|on|onto|into)\s+(?:your|the)\b/i,
  /\bon (?:its|their) way back\b|\bback (?:to|on|onto|in) your (?:card|account|bank|statement)\b/i,
];
const CREDIT = [
  /\bcredit(?:s|ed|ing)?\b(?!\s+cards?\b)/i,
  /\bcredit note\b/i,
  /\bwaiv(?:e|ed|es|ing)\b/i,
  /\bcomp(?:ed|ing)\b|\bon the house\b|\bgoodwill\b|\bcompensat\w*/i,
  /\b(?:written|wrote|write|writing) off\b/i,
  /\b(?:fee|charge|penalty|surcharge|interest|overcharge)s?\s+(?:has|have|was|were|is|are|will be|'s)\s+(?:now\s+)?(?:been\s+)?(?:removed|dropped|waived|cancel+ed|taken off|deleted|reversed|wiped|refunded|credited)\b/i,
];
const DISCOUNT = [
  /\bdiscount\w*|\bcoupon\w*|\bpromo(?:tional)? (?:code|price|rate)\b/i,
  /\b\d+(?:\.\d+)?\s?(?:%|percent|per\s?cent)\s+off\b|\bhalf (?:off|price)\b|\b(?:percent|per\s?cent)\s+off\b/i,
  /\b(?:knock\w*|tak(?:e|en|ing)|took|shav\w*|slash\w*|cut\w*|drop\w*)\b[^.]*\boff\b/i,
  /\bmonths?\s+(?:(?:for\s+)?free|on (?:us|the house)|at no (?:cost|charge))\b|\bfree months?\b|\bfree (?:of charge|upgrade)\b/i,
  /\b(?:reduced?|lower(?:ed)?|special|cheaper|locked[- ]in|grandfathered)\s+(?:\w+\s+)?(?:price|rate|pricing)\b|\bprice (?:lock|freeze|match)\b/i,
];
const CANCELLATION = [
  /\bcancel\w*/i,
  /\bterminat\w*/i,
  /\b(?:clos(?:e|ed|ing)|shut (?:down)?|end(?:ed|ing)?|stop(?:ped|ping)?|deactivat\w*|pause[ds]?|paus(?:ed|ing))\s+(?:\w+\s+){0,2}?(?:account|subscription|contract|renewal|membership|auto-?renew\w*)\b/i,
  /\b(?:subscription|account|membership|plan|renewal|contract)s?\s+(?:has|have|was|is|will be|'s)\s+(?:now\s+)?(?:been\s+)?(?:paused|closed|ended|stopped|deactivated|suspended|frozen|terminated)\b/i,
  /\b(?:won't|will not|no longer|not)\s+(?:auto-?)?renew\b|\b(?:turn(?:ed)?|switch(?:ed)?) off (?:auto-?)?renew\w*|\bunsubscrib\w*/i,
];
const PLAN = [
  /\b(?:upgrad|downgrad)\w*/i,
  /\b(?:mov|switch|migrat|chang|transfer|convert|bump|put)(?:e|ed|es|ing|ted|ped)?\b[^.]*\b(?:plan|tier|annual|yearly|monthly|package|edition|seats?)\b/i,
  /\bnow on (?:the |our )?\w+(?: \w+)? (?:plan|tier)\b|\b(?:plan|tier)\s+(?:has|have|was|is)\s+(?:been\s+)?(?:changed|switched|updated|moved)\b/i,
  /\b(?:I|we)(?:'ve| have| just)?\s+(?:\w+\s+)?(?:added|removed|reduced|dropped)\s+(?:\w+\s+){0,2}seats?\b|\bseats?\s+(?:have|has)\s+(?:now\s+)?been\s+(?:added|removed|reduced)\b|\bseats?\b[^.]*\b(?:are|is)\s+(?:now\s+)?off\b/i,
  /\b(?:[Bb]ump|[Mm]ov|[Ss]witch|[Uu]pgrad|[Dd]owngrad|[Pp]ut|[Mm]igrat)\w*\s+(?:you|your \w+)\s+(?:up\s+|down\s+|over\s+|back\s+)?(?:to|onto|on)\s+(?:the\s+|our\s+)?[A-Z]/,
];
const INVOICE = [
  /\bvoid(?:ed|ing)?\b/i,
  /\b(?:I|we)(?:'ve| have| just| already)?\s+(?:re-?)?(?:retried|re-?run|reran|re-?attempted|re-?processed)\b|\b(?:will|'ll|going to)\s+(?:\w+\s+){0,2}?(?:retry|re-?run|re-?attempt|re-?process)\b|\b(?:has|have) been (?:retried|reprocessed)\b/i,
  /\b(?:marked|mark it|marking it|set)\s+(?:\w+\s+)?(?:as\s+)?(?:paid|settled)\b|\bwip(?:e|ed)\s+(?:\w+\s+)?(?:out|clean)\b/i,
];
const CHARGE = [
  new RegExp(
    String.raw`\b${FUTURE}\s+(?:\w+\s+){0,3}?(?:charged?|bill(?:ed)?|debit(?:ed)?|take|taken|collect(?:ed)?|invoiced?)\b(?!\s+(?:request|policy))`,
    'i',
  ),
  new RegExp(String.raw`\b${FUTURE}\s+(?:\w+\s+){0,2}?(?:go(?:es)? through|clear|succeed|process)\b`, 'i'),
  /\b(?:payment|charge|card)\s+(?:has|have|was|is)\s+(?:now\s+)?(?:been\s+)?(?:gone through|went through|successful|succeeded|processed|cleared|accepted)\b|\bwent through\b/i,
];
const NO_CHARGE = [
  /\b(?:won't|will not|wont|shan't|shall not|never|not|no longer|aren't going to|isn't going to|don't)\s+(?:\w+\s+){0,3}?(?:be\s+|get\s+)?(?:charged|billed|debited|invoiced|renewed|taken|collected|owe|pay)\b/i,
  /\b(?:no|zero)\s+(?:further|more|additional|future|new|extra|hidden)\s+(?:charges?|payments?|bills?|invoices?|fees?|debits?)\b/i,
  /\bnothing\s+(?:more|else|further|to pay|owed|due|outstanding)\b|\b(?:don't|do not|won't|will not)\s+owe\b|\bowe (?:us )?nothing\b|\b(?:balance|amount due)\s+(?:is|has been|will be)\s+(?:now\s+)?(?:zero|cleared|settled|\$0|0)\b/i,
  /\b(?:stopped|stop|halted|cancelled|canceled)\s+(?:all\s+)?(?:future|further|upcoming|recurring)\s+(?:charges|billing|payments)\b/i,
];

const DATE = [
  new RegExp(
    String.raw`\b(?:within|in|over|takes?|taking|took|up to|about|around|roughly|allow|another|the next|after|for the next)\s+(?:the\s+next\s+|about\s+|around\s+|up to\s+)?${SPAN}`,
    'i',
  ),
  new RegExp(
    String.raw`\b\d+\s*(?:[-–—]|to)\s*\d+\s+(?:business\s+|working\s+)?(?:hours|days|weeks)\b|\b${COUNT}\s+(?:business|working|bank)\s+days?\b`,
    'i',
  ),
  new RegExp(
    String.raw`\b(?:by|before|until|no later than|on or before|from)\s+(?:the\s+)?(?:end of\b|start of\b|beginning of\b|tomorrow|tonight|today|eod|close of business|cob|midnight|noon|${WEEKDAY}\b|next\b|this (?:week|month|evening|afternoon)\b|\d{1,2}(?:st|nd|rd|th)\b|${MONTH}\b|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2})`,
    'i',
  ),
  /\b(?:tomorrow|tonight|later today|end of (?:the )?(?:day|week|month)|next (?:week|month|business day|billing (?:cycle|period|date)|(?:mon|tues|wednes|thurs|fri|satur|sun)day)|this (?:afternoon|evening)|immediately|right away|straight away|instantly|asap|as soon as possible|shortly|in no time|overnight|same[- ]day|first thing)\b/i,
  new RegExp(
    String.raw`\b${FUTURE}\b[^.]*\b(?:on|by)\s+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}\b|${MONTH}\s+\d{1,2}\b|\d{4}-\d{2}-\d{2}|${WEEKDAY}\b|\d{1,2}(?:st|nd|rd|th)\b)`,
    'i',
  ),
  new RegExp(String.raw`\b${BILLING}\w*\b[^.]*\b(?:today|tomorrow|this week)\b`, 'i'),
];
const CERTAIN =
  /\b(?:definitely|certainly|absolutely|surely|for sure|without (?:a |any )?doubt|100\s?%\s+(?:sure|certain)|rest assured|assure you|no doubt|without fail|i promise|we promise|promise you|i can promise|you have my word|no question)\b/i;
const GUARANTEE = [/\bguarantee\w*/i, /\b(?:never|won't|will not|not)\s+(?:\w+\s+)?(?:happen|occur|recur)\s+again\b/i];
const TAX = [
  /\btax[- ]deductible\b|\bdeductible\b(?=.*\b(?:tax|business expense)\b)|\b(?:vat|gst|hst|sales tax|tax)[- ](?:exempt|free)\b|\bexempt from (?:\w+\s+)?(?:vat|gst|sales tax|tax)\b/i,
  /\breverse[- ]charge\b|\b(?:no|zero|0\s?%)\s+(?:vat|gst|hst|sales tax|tax)\b|\bwithholding tax\b/i,
  /\b(?:don't|do not|won't|will not|doesn't|does not|shouldn't|should not|needn't|need not|never)\s+(?:need to\s+|have to\s+)?(?:pay|owe|charge|apply|be charged|include|add|collect)\s+(?:any\s+)?(?:vat|gst|hst|sales tax|tax)\b/i,
  /\b(?:vat|gst|hst|sales tax|tax(?:es)?)\s+(?:does not|doesn't|won't|will not|isn't|is not|shouldn't|should not|don't|do not)\s+(?:apply|be (?:charged|applied|added|due)|need to be paid)\b/i,
  /\b(?:claim|reclaim|recover|deduct|offset)\s+(?:the\s+|any\s+|all\s+)?(?:vat|gst|hst|sales tax|tax)\b|\b(?:vat|gst|hst|sales tax|tax)\s+(?:refund|rebate|back)\b/i,
  /\b(?:vat|gst|hst|sales tax|tax(?:es)?)\s+(?:will be|has been|have been|was|were|is)\s+(?:\w+\s+)?(?:refunded|removed|credited|reversed|waived|exempt|zero-rated|not applicable|not due|included|payable|due)\b/i,
  /\b(?:vat|gst|hst|sales tax)\s+(?:is|isn't|is not)\s+(?:due|payable|applicable|owed|chargeable)\b|\bzero[- ]rated\b|\bnot (?:subject|liable) to (?:vat|gst|hst|sales tax|tax)\b/i,
];
const LEGAL = [
  /\blegal(?:ly)?\b(?!\s+(?:team|department|colleagues?|review))|\bliab(?:le|ility)\b|\blawsuit\b|\bsue\b|\bbreach(?:ed)? (?:of )?(?:the )?contract\b|\bin breach\b/i,
  /\b(?:you are|you're|you'd be|you will be|you'll be|customers are)\s+(?:\w+\s+)?(?:entitled|owed)\b|\bentitled to\b|\bwithin your rights\b/i,
  /\bconsumer (?:law|rights|protection)\b|\bstatutory\b|\bunder (?:the |eu |uk |us |applicable )?(?:law|gdpr|regulations?|directive)\b|\bcooling[- ]off\b|\bnot (?:legally )?binding\b|\b(?:un)?enforceable\b|\bcontractually\b|\bthe law (?:requires|says)\b/i,
];

/** Which action kinds the (cleaned) sentence claims. */
function actionKinds(clean: string): ClaimKind[] {
  const kinds: ClaimKind[] = [];
  const any = (patterns: RegExp[]) => patterns.some((pattern) => pattern.test(clean));
  if (any(REFUND)) kinds.push('refund');
  if (any(CREDIT)) kinds.push('credit');
  if (any(DISCOUNT)) kinds.push('discount');
  if (any(CANCELLATION)) kinds.push('cancellation');
  if (any(PLAN)) kinds.push('plan');
  if (any(INVOICE)) kinds.push('invoice');
  if (any(NO_CHARGE)) kinds.push('no_charge');
  else if (any(CHARGE)) kinds.push('charge');
  return kinds;
}

/** True for a sentence that only asks something. */
function isQuestion(sentence: string): boolean {
  return /\?\s*["')\]]*$/.test(sentence.trim());
}

/** Every kind of claim `sentence` makes (none for a question, a request, sympathy or a plain fact). */
export function claimKinds(sentence: string): ClaimKind[] {
  if (isQuestion(sentence)) return [];
  const kinds = actionKinds(withoutNonClaims(sentence));
  const any = (patterns: RegExp[]) => patterns.some((pattern) => pattern.test(sentence));
  if (any(DATE)) kinds.push('date');
  // A certainty word about what will happen ("it will definitely go through"), not about a fact ("a double charge for sure").
  const promised = kinds.some((kind) => kind !== 'date') || new RegExp(`\\b${FUTURE}\\b`, 'i').test(sentence);
  if (any(GUARANTEE) || (CERTAIN.test(sentence) && promised && new RegExp(BILLING, 'i').test(sentence)))
    kinds.push('guarantee');
  if (any(TAX)) kinds.push('tax');
  if (any(LEGAL)) kinds.push('legal');
  return kinds;
}
