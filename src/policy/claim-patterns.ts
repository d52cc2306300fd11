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
const CLAUSE = String.raw`(?:(?!\s+(?:and|but|so|then|which|while|as|since|because|plus)\s+(?:I|we|it|this|that|they|the|your|you'll|you will)\b|\s+(?:I|we)(?:'ve|'ll|'d|'m|\s+(?:have|had|will|shall|am|are|just|already|also|now|went|gave|made|put|sent|took|\w+ed)\b))[^,;.!?—–])*`;

/** Verbs that say a request was carried out, not merely made. */
const DONE = `approved|processed|completed|actioned|granted|accepted|honou?red|executed|fulfilled|done|put through|carried out|sorted|resolved`;

/** The customer's own wish, question or doing, restated ("you asked for a refund", "after you upgraded"). */
const CUSTOMER_SAID: RegExp[] = [
  new RegExp(
    String.raw`\b(?:you(?:'d| would)? like|you(?:'ve| have)? asked|you (?:want|wanted|requested|mentioned|said|wrote|wish|asked|think|thought|believe|were expecting|expected|were told|were promised)|your (?:question|message|email|note|request|ask)|you're asking|you are asking|you were hoping|you(?:'re| are) (?:wondering|hoping|expecting))\b${CLAUSE}`,
    'gi',
  ),
  new RegExp(
    String.raw`\bif you(?:'d| would)? (?:like|want|wish|prefer|decide|choose|need|ever want)\b${CLAUSE}`,
    'gi',
  ),
  new RegExp(
    String.raw`\byou\s+(?:just\s+|already\s+|recently\s+|yourself\s+|then\s+)?(?:upgraded|downgraded|cancel+ed|switched|changed|added|removed|moved|bought|purchased|signed up|made the change|paid|topped up|renewed)\b${CLAUSE}`,
    'gi',
  ),
];

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
  ...CUSTOMER_SAID,
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
  /\bwhether\b[^,;.]*/gi,
  /\b(?:possible|potential|any possible)\s+(?:\w+\s+)?(?:refund|credit|cancellation|discount|coupon|reimbursement|plan change|downgrade|upgrade|waiver)s?\b/gi,
  // A button or menu label quoted in how-to steps.
  /"[^"]{1,200}"|“[^”]{1,200}”/g,
];

/**
 * A sentence whose action waits on someone's approval ("If finance signs off, we could apply a $50 credit",
 * "Subject to manager approval, I can offer 15% off", "Once billing has approved it, a credit would be added"):
 * an offer, not a claim. Dates in it are still read.
 */
const AWAITS_APPROVAL = [
  /\b(?:if|once|when|provided(?: that)?|providing|assuming|as long as|as soon as|after)\s+(?:[\w'’-]+\s+){0,5}?(?:approves?|signs? (?:it |this |that )?off|okays?|oks|authori[sz]es?|gives? (?:it |us |me )?(?:the )?(?:go-ahead|green light|ok|okay|nod)|(?:is|are|gets?|has been|have been|'s|been)\s+(?:approved|signed off|authori[sz]ed|okayed)|(?:has|have)\s+approved)\b/i,
  /\b(?:subject to|pending|conditional on|dependent on|depending on)\s+(?:[\w'’-]+\s+){0,3}?(?:approval|sign[- ]off|authori[sz]ation|review|agreement|go-ahead)\b/i,
];

/** A sentence explaining a line of an invoice ("The £4.17 credit on line 2 is the proration for …"), not an action. */
const EXPLAINS_A_LINE =
  /^\W*(?:the|this|that)\b(?:(?!\b(?:I|we)\b)(?:[^.]|\.\d))*?\b(?:line|line item|entry|row)\b(?:(?!\b(?:I|we)\b)(?:[^.]|\.\d))*?\b(?:is|represents|reflects|shows|covers|comes from|relates to|was|means|is for|was for)\b(?:(?!\b(?:I|we|will|'ll)\b)(?:[^.]|\.\d))*\.?$/i;

/** Removes the phrases that are not claims. */
export function withoutNonClaims(sentence: string): string {
  if (AWAITS_APPROVAL.some((pattern) => pattern.test(sentence)) || EXPLAINS_A_LINE.test(sentence)) return '';
  let text = sentence;
  for (const pattern of NOT_CLAIMS) text = text.replace(pattern, ' ');
  return text;
}

/** Where a refund lands: the customer's card, bank or original payment method (not an account balance). */
const CARD = String.raw`(?:your|the)\s+(?:(?:original|same|source|registered)\s+(?:payment method|method of payment|account|card|bank account|source)|(?:\w+\s+)?card|bank(?:\s+account)?|payment method|statement|wallet|mastercard|visa|amex)\b`;
/** Where money sent back lands: a card, a bank or the customer's account. */
const SOURCE = String.raw`(?:${CARD}|(?:your|the)\s+(?:\w+\s+)?account\b)`;

const REFUND = [
  /\brefund(?:s|ed|ing)?\b/i,
  /\breimburs\w*/i,
  /\bmoney[- ]back\b/i,
  // A reversal of money ("we've already reversed the charge", "both charges are being reversed"), not VAT's
  // reverse-charge mechanism.
  /\brevers(?:e|ed|es|ing|al)\b(?![- ]charg(?:e|ed)\b)/i,
  /\b(?:send|sent|sending|return(?:ed|ing)?|put(?:ting)?|paid|pay(?:ing)?|going|gone|be|is|are|land(?:ing)?|head(?:ing|ed)?|credited|transferr?(?:ed|ing)?|give|gave|given|giving)\s+(?:[\w$€£₹¥.,'-]+\s+){0,4}?back\b/i,
  new RegExp(
    String.raw`\b(?:return(?:s|ed|ing)?|transferr?(?:ed|ing)?|sen[dt]|paid|deposit(?:ed)?)\s+(?:[\w$€£₹¥.,/'-]+\s+){0,4}?(?:to|into|onto|in)\s+${SOURCE}|\bcredit(?:ed|ing)\s+(?:back\b|(?:to|onto|into|in)\s+${CARD})`,
    'i',
  ),
  /\b(?:return|give|send|refund|transfer|pay)\w*\s+(?:you\s+)?(?:your|the)\s+(?:full\s+)?(?:money|funds|amount|sum|payment)\b/i,
  /\b(?:money|funds|amount|sum)\b[^.]*\b(?:reach|arrive|land|appear|show up|be back|be returned|returned|clear|reflect|be reflected|be credited|hit|be with you|on (?:its|their) way)\w*\b/i,
  /\b(?:receive|get|getting|have|see)\s+(?:\w+\s+|[$€£₹¥][\d.,]+\s+){0,4}?back\b(?!\s+to\s+(?:you|us|me|them))|\b(?:returned|sent back|paid back)\s+(?:to|on|onto|into)\s+(?:your|the)\b/i,
  /\bon (?:its|their) way back\b|\bback (?:to|on|onto|in) your (?:card|account|bank|statement)\b/i,
  // A hold or pending authorisation released: money back in the customer's hands.
  /\b(?:drop|fall|come|disappear|vanish)(?:s|ped|ping|ing|ed)?\s+off\s+(?:your|the)\s+(?:statement|card|account)\b|\b(?:release[ds]?|releasing)\b(?=.*\b(?:hold|authori[sz]ation|pre-?auth\w*|funds|money|amount)\b)/i,
];
const CREDIT = [
  // Not "credited back to your card" (a refund) nor "credit card".
  new RegExp(String.raw`\bcredit(?:s|ed|ing)?\b(?!\s+cards?\b)(?!\s+(?:back\b|(?:to|onto|into|in)\s+${CARD}))`, 'i'),
  /\bcredit note\b/i,
  /\bwaiv(?:e|ed|es|ing)\b/i,
  /\bcomp(?:ed|ing|'d)\b|\bon the house\b|\bgoodwill\b|\bcompensat\w*/i,
  /\b(?:written|wrote|write|writing) off\b/i,
  /\b(?:fee|charge|penalty|surcharge|interest|overcharge)s?\s+(?:has|have|was|were|is|are|will be|'s)\s+(?:now\s+)?(?:been\s+)?(?:removed|dropped|waived|cancel+ed|taken off|deleted|reversed|wiped|refunded|credited|scrapped|gone|written off)\b/i,
  // "I've removed the late fee", "we've dropped the surcharge", "took the fee off".
  /\b(?:removed|dropped|deleted|wiped|scrapped|struck|binned|cancel+ed|took|taken|knocked)\s+(?:off\s+)?(?:\w+\s+){0,3}?(?:fee|penalty|surcharge|interest|overcharge|charge|line item)s?\b(?!\s+(?:request|dispute|policy))/i,
  // "It's on us", "we'll cover the cost".
  /(?<!\b(?:count|rely|depend|call|lean|trust|wait|focus|falls?|blame|reach|free|months?|weeks?)\s)(?<!\b(?:that's|that is|that was|this is|this was)\s)\bon us\b(?!\s+to\b)|\b(?:we(?:'ll| will)?|I(?:'ll| will)?)\s+(?:\w+\s+)?cover(?:ed|ing)?\s+(?:the|your|this|that)\s+(?:\w+\s+)?(?:cost|fee|charge|difference|bill|invoice)s?\b/i,
  // "I zeroed out your balance", "your balance has been cleared".
  /\b(?:zero(?:ed|'d)?|clear(?:ed)?|wip(?:e|ed)|settl(?:e|ed)|knock(?:ed)?)\s+(?:out\s+|off\s+)?(?:your|the)\s+(?:\w+\s+)?(?:balance|arrears|debt|amount (?:due|owed|outstanding))\b/i,
  // An invoice corrected in the customer's favour: "we've revised the invoice", "the bill has been adjusted".
  /\b(?:adjust|amend|correct|revis|reissu|re-issu|rectifi)\w*\s+(?:\w+\s+){0,2}?(?:invoice|bill|statement)s?\b|\b(?:invoice|bill|statement)s?\s+(?:has|have|was|were|is|are)\s+(?:now\s+)?(?:been\s+)?(?:adjusted|amended|corrected|revised|reissued|re-issued|reduced|lowered|rectified)\b/i,
];
const DISCOUNT = [
  /\bdiscount\w*|\bcoupon\w*|\bpromo(?:tional)? (?:code|price|rate)\b/i,
  /\b\d+(?:\.\d+)?\s?(?:%|percent|per\s?cent)\s+off\b|\bhalf (?:off|price)\b|\b(?:percent|per\s?cent)\s+off\b/i,
  /\b(?:knock\w*|tak(?:e|en|ing)|took|shav\w*|slash\w*|cut\w*|drop\w*)\b[^.]*\boff\b/i,
  /\bmonths?\s+(?:(?:for\s+)?free|on (?:us|the house)|at no (?:cost|charge))\b|\bfree months?\b|\bfree (?:of charge|upgrade)\b|\bat no (?:extra |additional )?(?:cost|charge)\b|\bno (?:extra|additional) (?:cost|charge)\b|\bfor free\b|\bcomplimentary\b/i,
  /\b(?:reduced?|lower(?:ed)?|special|cheaper|locked[- ]in|grandfathered|old|previous|original|legacy|loyalty|introductory|discounted)\s+(?:\w+\s+)?(?:price|rate|pricing)\b|\bprice (?:lock|freeze|match)\b|\b(?:price|rate|pricing)\s+(?:is|has been|will be|stays?|remains?|'s)\s+(?:now\s+)?(?:locked|frozen|fixed|guaranteed|held|capped)\b/i,
  // A price kept, restored or promised ("we'll honour the old price", "renews at the same rate").
  /\b(?:reinstat|restor|honou?r|lock|freez|match|keep|kept|hold|held|grandfather)\w*\s+(?:\w+\s+){0,3}?(?:price|rate|pricing)\b|\b(?:at|on)\s+(?:the\s+|your\s+)?(?:old|same|current|previous|original|legacy|existing|discounted|reduced|lower|special|promotional|introductory)\s+(?:rate|price|pricing|fee)\b/i,
  // A discount written as a price: "we'll bill you $79 instead of $99", "your invoices will drop to £120".
  /\binstead of\s+(?:the\s+(?:usual|normal|full|regular)\s+)?(?:[$€£₹¥]|[A-Z]{1,3}\$|\d)|\b(?:drop|go(?:es)? down|come(?:s)? down|fall|reduc|lower|decreas)\w*\s+(?:\w+\s+){0,3}?to\s+(?:just\s+|only\s+)?(?:[$€£₹¥]|[A-Z]{1,3}\$|\d)|\bonly\s+(?:be\s+)?(?:\w+\s+){0,2}?(?:[$€£₹¥]|[A-Z]{1,3}\$)\s?\d/i,
  // A trial or free period extended.
  /\bextend\w*\s+(?:\w+\s+){0,2}?(?:trial|free period)\b|\btrial\s+(?:has been|was|is|will be)\s+extended\b/i,
];
const CANCELLATION = [
  /\bcancel\w*/i,
  /\bterminat\w*/i,
  /\b(?:clos(?:e|ed|ing)|shut (?:down)?|end(?:ed|ing)?|stop(?:ped|ping)?|deactivat\w*|pause[ds]?|paus(?:ed|ing))\s+(?:\w+\s+){0,2}?(?:account|subscription|contract|renewal|membership|auto-?renew\w*|direct debit|mandate|standing order|autopay|auto-?pay)\b/i,
  /\b(?:subscription|account|membership|plan|renewal|contract|direct debit|mandate|standing order|autopay|auto-?pay|auto-?renew\w*)s?\s+(?:has|have|was|is|will be|'s)\s+(?:now\s+)?(?:been\s+)?(?:paused|closed|ended|stopped|deactivated|suspended|frozen|terminated|switched off|turned off|disabled|removed)\b/i,
  /\b(?:won't|will not|no longer|not)\s+(?:auto-?)?renew\b|\b(?:turn(?:ed)?|switch(?:ed)?) off (?:auto-?)?renew\w*|\bunsubscrib\w*/i,
  // The subscription running out: "the plan simply lapses on 30 June", "your membership will end".
  /\b(?:subscription|plan|membership|contract|licen[cs]e)s?\b[^.]*?\b(?:(?:will|'ll|shall|is going to)\s+(?:\w+\s+)?(?:lapse|expire|end|stop|terminate)|lapses|expires|ends|ended|lapsed|expired|stops)\b(?!\s+up\b)/i,
];
const PLAN = [
  /\b(?:upgrad|downgrad)\w*/i,
  /\b(?:mov|switch|migrat|chang|transfer|convert|bump|put)(?:e|ed|es|ing|ted|ped)?\b[^.]*\b(?:plan|tier|annual|yearly|monthly|package|edition|seats?)\b/i,
  /\bnow on (?:the |our )?\w+(?: \w+)? (?:plan|tier)\b|\b(?:plan|tier)\s+(?:has|have|was|is)\s+(?:been\s+)?(?:changed|switched|updated|moved)\b/i,
  /\b(?:I|we)(?:'ve| have| just)?\s+(?:\w+\s+)?(?:added|removed|reduced|dropped)\s+(?:\w+\s+){0,2}seats?\b|\bseats?\s+(?:have|has)\s+(?:now\s+)?been\s+(?:added|removed|reduced|taken off|dropped)\b|\bseats?\b[^.]*\b(?:are|is)\s+(?:now\s+)?off\b/i,
  /\b(?:[Bb]ump|[Mm]ov|[Ss]witch|[Uu]pgrad|[Dd]owngrad|[Pp]ut|[Mm]igrat)\w*\s+(?:you|your \w+)\s+(?:up\s+|down\s+|over\s+|back\s+)?(?:to|onto|on)\s+(?:the\s+|our\s+)?[A-Z]/,
  // "You're now on Business", "your workspace is on the Enterprise tier from today".
  /\b(?:[Yy]ou(?:'re| are)|[Yy]our\s+(?:account|workspace|subscription|team|org|organi[sz]ation|company)\s+(?:is|'s|has been|was))\s+(?:now\s+|all\s+|officially\s+)?(?:set up\s+|moved\s+)?on\s+(?:the\s+|our\s+)?(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December)\b)[A-Z]\w+/,
  /\b(?:you(?:'re| are)|your\s+(?:account|workspace|subscription|team|org|organi[sz]ation|company)\s+(?:is|'s))\s+(?:now\s+)?on\s+(?:the\s+|our\s+)?\w+(?:\s+\w+)?\s+(?:plan|tier|package|edition)\b/i,
];
const INVOICE = [
  /\bvoid(?:ed|ing)?\b/i,
  /\b(?:I|we)(?:'ve| have| just| already)?\s+(?:re-?)?(?:retried|re-?run|reran|re-?attempted|re-?processed)\b|\b(?:will|'ll|going to)\s+(?:\w+\s+){0,2}?(?:retry|re-?run|re-?attempt|re-?process)\b|\b(?:has|have) been (?:retried|reprocessed)\b|\b(?:payment|invoice|charge)s?\s+(?:has been\s+|have been\s+|was\s+|were\s+)?(?:retried|re-?processed|re-?attempted|re-?run)\b|^\W*(?:re-?ran|retried|re-?attempted|re-?processed)\b/i,
  /\b(?:marked|mark it|marking it|set)\s+(?:\w+\s+)?(?:as\s+)?(?:paid|settled)\b|\bwip(?:e|ed)\s+(?:\w+\s+)?(?:out|clean)\b/i,
];
const CHARGE = [
  new RegExp(
    String.raw`\b${FUTURE}\s+(?:[\w-]+\s+){0,3}?(?:[\w]+-)?(?:charged?|bill(?:ed)?|debit(?:ed)?|take|taken|collect(?:ed)?|invoiced?)\b(?!\s+(?:request|policy))`,
    'i',
  ),
  new RegExp(String.raw`\b${FUTURE}\s+(?:\w+\s+){0,2}?(?:go(?:es)? through|clear|succeed|process)\b`, 'i'),
  /\b(?:payment|charge|card)\s+(?:has|have|was|is)\s+(?:now\s+)?(?:been\s+)?(?:gone through|went through|successful|succeeded|processed|cleared|accepted)\b|\bwent through\b/i,
  // What the customer will pay: "you'll only owe £36", "you'll pay for eight seats from now on".
  /\byou(?:'ll| will| would|'d| shall)\s+(?:\w+\s+){0,2}?(?:pay|owe|be paying|be billed|be invoiced|be debited)\b/i,
  // A future price: "your next invoice will be $99", "your invoices will drop to £120 a month".
  new RegExp(
    String.raw`\b(?:invoice|bill|price|payment|charge|rate|renewal|subscription|fee|cost|total|debit)s?\b[^.]*?\b${FUTURE}\s+(?:now\s+|only\s+|just\s+)?(?:be|drop|go down|go up|fall|come to|come down|decrease|reduce|increase|rise|amount to|total)\b[^.]*?(?:[$€£₹¥]|\b[A-Z]{1,3}\$|\d)`,
    'i',
  ),
];
const NO_CHARGE = [
  /\b(?:won't|will not|wont|shan't|shall not|never|not|no longer|aren't going to|isn't going to|don't)\s+(?:\w+\s+){0,3}?(?:be\s+|get\s+)?(?:charged?|billed|debited|invoiced|renewed|taken|collected|owe|pay)\b/i,
  /\b(?:no|zero)\s+(?:further|more|additional|future|new|extra|hidden|other)\s+(?:charges?|payments?|bills?|invoices?|fees?|debits?|deductions?)\b/i,
  /\bnothing\s+(?:more|else|further|to pay|owed|due|outstanding)\b|\b(?:don't|do not|won't|will not)\s+owe\b|\bowe (?:us )?nothing\b|\b(?:balance|amount due)\s+(?:is|has been|will be)\s+(?:now\s+)?(?:zero|cleared|settled|\$0|0)\b/i,
  /\b(?:stopped|stop|halted|cancelled|canceled)\s+(?:all\s+)?(?:future|further|upcoming|recurring)\s+(?:charges|billing|payments)\b/i,
  // "There won't be any further charges", "you won't see the surcharge on your bills", "no charge for the seat".
  /\b(?:won't|will not|wont|shouldn't|should not|never|not going to)\s+(?:\w+\s+){0,4}?(?:charges?|surcharges?|fees?|debits?|deductions?|invoices?|bills?|payments?)\b/i,
  /\b(?:no|zero)\s+(?:charge|fee|cost)s?\s+(?:for|on)\b|\ball square\b|\bsquared? (?:up|away)\b/i,
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
    String.raw`\b(?:by|before|until|till|til|through|thru|no later than|on or before|from)\s+(?:the\s+)?(?:end of\b|start of\b|beginning of\b|tomorrow|tonight|today|eod|close of business|cob|midnight|noon|${WEEKDAY}\b|next\b|this (?:week|month|evening|afternoon)\b|\d{1,2}(?:st|nd|rd|th)\b|${MONTH}\b|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2})`,
    'i',
  ),
  /\b(?:tomorrow|tonight|later today|end of (?:the )?(?:day|week|month)|next (?:week|month|business day|billing (?:cycle|period|date)|(?:mon|tues|wednes|thurs|fri|satur|sun)day)|this (?:afternoon|evening)|asap|as soon as possible|shortly|in no time|overnight|same[- ]day|first thing|(?:later|early|earlier) (?:this|next) (?:week|month)|over the weekend|(?:month|week|year)[- ]end)\b/i,
  new RegExp(
    String.raw`\b${FUTURE}\b[^.]*\b(?:on|by)\s+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}\b|${MONTH}\s+\d{1,2}\b|\d{4}-\d{2}-\d{2}|${WEEKDAY}\b|\d{1,2}(?:st|nd|rd|th)\b)`,
    'i',
  ),
  new RegExp(String.raw`\b${BILLING}\w*\b${NOT_MONEY}[^.]*\b(?:tomorrow|this week)\b`, 'i'),
  // The billing calendar itself moved: "your billing date has been moved to the 15th".
  /\b(?:billing|renewal|payment|due|invoice|charge|collection)\s+(?:date|day|cycle|anchor)s?\b[^.]*\b(?:moved|changed|pushed|extended|shifted|aligned|reset|set|postponed|deferred)\b/i,
  // A date relative to the billing calendar: "before your next billing date", "on your renewal date".
  /\b(?:by|before|until|till|on|at|from|after|ahead of|in time for)\s+(?:your|the)\s+(?:next\s+|upcoming\s+|following\s+)?(?:(?:renewal|billing|invoice|payment|due|statement|charge)\s+(?:date|day|run|cycle|period)|renewal|due date)\b/i,
  // A weekday or month a change happens on or in, said of what is to come: "billing resumes in September",
  // "the plan lapses on 30 June" (not "the card expired in April").
  new RegExp(
    String.raw`\b(?:on|in|from)\s+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}\b|${MONTH}\b(?:\s+\d{1,2}\b)?|${WEEKDAY}\b)(?=.*\b(?:resumes?|lapses?|expires?|renews?|restarts?|starts?|begins?|ends?|stops?|takes effect)\b)|\b(?:resumes?|lapses?|expires?|renews?|restarts?|starts?|begins?|ends?|stops?|takes effect)\s+(?:on|in|from)\s+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}\b|${MONTH}\b|${WEEKDAY}\b)`,
    'i',
  ),
];
/**
 * "Today", "immediately", "with immediate effect": a date promise about what is to come ("we will refund this
 * immediately"), but only the time of an action already taken in "I've cancelled it with immediate effect".
 */
const DATE_NOW = [
  /\b(?:immediately|right away|straight away|instantly|immediate effect|as we speak|(?:as of|effective(?: from)?|from) (?:today|now|this morning))\b/i,
  new RegExp(String.raw`\b${BILLING}\w*\b${NOT_MONEY}[^.]*\btoday\b`, 'i'),
];
/** A sentence that reports what was done, with nothing still to come. */
const REPORTS_DONE =
  /\b(?:has|have|had)\s+(?:now\s+|just\s+|already\s+)?(?:been\s+)?\w+(?:ed|en|t)\b|\b(?:I|we)'(?:ve|d)\b|\b(?:I|we)\s+(?:just\s+|already\s+)?(?:\w+ed|sent|put|made|gave|took|ran|did|paid)\b|\b(?:is|are|was|were)\s+(?:now\s+)?\w+ed\b/i;

const CERTAIN =
  /\b(?:definitely|certainly|absolutely|surely|for sure|without (?:a |any )?doubt|100\s?%\s+(?:sure|certain)|rest assured|assure you|no doubt|without fail|i promise|we promise|promise you|i can promise|you have my word|no question)\b/i;
const GUARANTEE = [
  /\bguarantee\w*/i,
  /\b(?:never|won't|will not|not)\s+(?:\w+\s+)?(?:happen|occur|recur)\w*\s+again\b/i,
  /\brest assured\b|\bassure you\b|\byou have my word\b/i,
];
const TAX_WORD = '(?:vat|[icsu]?gst|ut?gst|hst|pst|qst|sales tax|use tax|tax(?:es)?)';
const TAX = [
  new RegExp(
    String.raw`\btax[- ]deductible\b|\bdeductible\b(?=.*\b(?:tax|business expense)\b)|\b${TAX_WORD}[- ](?:exempt|free)\b|\bexempt(?:ion)? from (?:\w+\s+)?${TAX_WORD}\b|\b(?:tax|vat|gst)\s+exemption\b`,
    'i',
  ),
  new RegExp(String.raw`\breverse[- ]charge\b|\b(?:no|zero|0\s?%)\s+${TAX_WORD}\b|\bwithholding tax\b`, 'i'),
  new RegExp(
    String.raw`\b(?:don't|do not|won't|will not|doesn't|does not|shouldn't|should not|needn't|need not|never|not)\s+(?:need to\s+|have to\s+|be\s+)?(?:pay|owe|charg|apply|be charged|includ|add|collect)\w*\s+(?:any\s+)?${TAX_WORD}\b`,
    'i',
  ),
  new RegExp(
    String.raw`\b${TAX_WORD}\s+(?:does not|doesn't|won't|will not|isn't|is not|shouldn't|should not|don't|do not|wouldn't|would not)\s+(?:apply|be (?:charged|applied|added|due)|need to be paid)\b`,
    'i',
  ),
  new RegExp(
    String.raw`\b(?:claim|reclaim|recover|deduct|offset)\s+(?:back\s+)?(?:the\s+|any\s+|all\s+|this\s+)?(?:\w+\s+)?${TAX_WORD}\b|\b${TAX_WORD}\s+(?:refund|rebate|back)\b|\binput (?:tax|vat|gst)\b|\b(?:tax|vat|gst) credit\b`,
    'i',
  ),
  new RegExp(
    String.raw`\b${TAX_WORD}\s+(?:(?:amount|charge|portion|component|line|element)\s+)?(?:will be|has been|have been|was|were|is|are|'s)\s+(?:\w+\s+)?(?:refunded|removed|credited|reversed|waived|exempt|zero-rated|not applicable|not due|included|payable|due|applied|charged|calculated|withheld)\b`,
    'i',
  ),
  new RegExp(
    String.raw`\b${TAX_WORD}\s+(?:is|isn't|is not)\s+(?:due|payable|applicable|owed|chargeable)\b|\bzero[- ]rated\b|\bnot (?:subject|liable) to (?:\w+\s+)?${TAX_WORD}\b`,
    'i',
  ),
  // "We've removed the VAT line", "we won't be charging sales tax".
  new RegExp(
    String.raw`\b(?:removed|refunded|reversed|waived|dropped|taken off|took off|stripped|deducted|credited)\s+(?:the\s+|your\s+|any\s+)?(?:\w+\s+)?${TAX_WORD}\b`,
    'i',
  ),
  /\b(?:business|tax)[- ]expense\b|\bdeduct\w*\b(?=.*\b(?:expense|tax|return)\b)/i,
];
const LEGAL = [
  /\blegal(?:ly)?\b(?!\s+(?:team|department|colleagues?|review|counsel|advice))|\bliab(?:le|ility)\b|\blawsuit\b|\bsue\b|\bbreach(?:ed)? (?:of )?(?:the )?contract\b|\bin breach\b|\b(?:un)?lawful(?:ly)?\b|\billegal(?:ly)?\b/i,
  /\b(?:you are|you're|you'd be|you will be|you'll be|customers are)\s+(?:\w+\s+)?(?:entitled|owed)\b|\bentitled to\b|\bwithin (?:your|our|their) rights\b/i,
  /\bconsumer (?:law|rights|protection)\b|\bstatutory\b|\bcooling[- ]off\b|\bnot (?:legally )?binding\b|\b(?:un)?enforceable\b|\bcontractually\b|\bthe law (?:requires|says)\b/i,
  /\bunder\s+(?:the\s+|our\s+|your\s+)?(?:[\w-]+\s+){0,4}?(?:law|laws|act|regulations?|directive|code|legislation|statute|gdpr)\b|\bact(?:\s+of)?\s+(?:19|20)\d\d\b|\b(?:regulations?|directive)\s+(?:19|20)\d\d\b/i,
  /\bgdpr\b|\bccpa\b|\b(?:required|permitted|allowed|prohibited|mandated) by (?:the )?law\b|\bby law\b|\bcompl(?:y|ies|iant|iance) with\b|\b\w+-compliant\b|\bin (?:compliance|accordance) with (?:the |all |applicable )?(?:law|laws|regulations?|rules)\b/i,
  /\bright (?:to|of) (?:cancel|withdraw|a refund|refund|withdrawal|return)\w*|\bombudsman\b|\bsmall claims\b|\b(?:legally )?(?:obliged|obligated)\b|\bobligations?\b/i,
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

/**
 * Phrases that make no date, guarantee, tax or legal claim: the customer's own words, a referral to the people
 * who decide, a refusal to advise, a quotation. (Those patterns otherwise read the whole sentence: a hedged tax
 * statement is still tax advice, and a date is a promise even in a sentence about a request.)
 */
const NOT_POSITIONS: RegExp[] = [
  ...CUSTOMER_SAID,
  /\b(?:not able to|unable to|can't|cannot|can not|not in a position to|not qualified to|won't be able to)\s+(?:\w+\s+){0,2}?(?:advise|comment|give (?:\w+\s+)?advice|speak|confirm|say)\b[^,;.]*/gi,
  /\b(?:passed|sent|forwarded|shared|referred|escalated|handed|raised|asked)\b[^,;.]*?\b(?:legal|finance|tax|accounts|compliance)\s+(?:team|department|colleagues?|specialists?|advisers?|advisors?)\b[^,;.]*/gi,
  /"[^"]{1,200}"|“[^”]{1,200}”/g,
];

/** Web addresses and email addresses: "ledgerly.example/refunds" is a link, not a refund. */
const ADDRESSES =
  /\b(?:https?:\/\/|www\.)\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\b[\w-]+(?:\.[\w-]+)*\.(?:com|example|io|co|org|net|app|dev|uk|in|de)(?:\/\S*)?/gi;

/** Straight apostrophes, no links. */
function prepare(sentence: string): string {
  return sentence.replace(/[’‘]/g, "'").replace(ADDRESSES, ' ');
}

/** "…and I've processed it": an action on something the sentence named before ("You asked for a refund"). */
const DID_IT =
  /\b(?:I|we)(?:'ve|'ll| have| will| just| already)?\s+(?:just\s+|already\s+|now\s+|also\s+|(?:gone|went) ahead and\s+)?(?:processed|actioned|completed|issued|applied|done|sorted|arranged|put through|approved|process|action|issue|apply|arrange|gone ahead with|go ahead with)\s+(?:it|that|this|them|those)\b/i;

/** Every kind of claim `sentence` makes (none for a question, a request, sympathy or a plain fact). */
export function claimKinds(raw: string): ClaimKind[] {
  const sentence = prepare(raw);
  if (isQuestion(sentence)) return [];
  const clean = withoutNonClaims(sentence);
  let kinds = actionKinds(clean);
  // The kind of "it" is in the phrase removed before it ("You asked for a refund and I've processed it").
  if (kinds.length === 0 && DID_IT.test(clean)) kinds = actionKinds(sentence);
  let position = sentence;
  for (const pattern of NOT_POSITIONS) position = position.replace(pattern, ' ');
  const any = (patterns: RegExp[]) => patterns.some((pattern) => pattern.test(position));
  const future = new RegExp(`\\b${FUTURE}\\b`, 'i').test(position);
  if (any(DATE) || (any(DATE_NOW) && (future || !REPORTS_DONE.test(position)))) kinds.push('date');
  // A certainty word about what will happen ("it will definitely go through"), not about a fact ("a double charge for sure").
  const promised = kinds.some((kind) => kind !== 'date') || future;
  if (any(GUARANTEE) || (CERTAIN.test(position) && promised && new RegExp(BILLING, 'i').test(position)))
    kinds.push('guarantee');
  if (any(TAX)) kinds.push('tax');
  if (any(LEGAL)) kinds.push('legal');
  return kinds;
}
