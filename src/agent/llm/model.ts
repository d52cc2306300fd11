/**
 * The model behind the LLM planner, from `LEASH_MODEL=provider:model` and the provider's usual key variable:
 * openai (OPENAI_API_KEY), anthropic (ANTHROPIC_API_KEY), mistral (MISTRAL_API_KEY), or any OpenAI-compatible
 * endpoint (Ollama, vLLM, llama.cpp server) at LEASH_MODEL_BASE_URL with an optional LEASH_MODEL_API_KEY.
 * `ollama:MODEL` is the compatible provider at Ollama's default address. Keys are read here and go only to
 * the provider's client: never logged, never shown to the model.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createMistral } from '@ai-sdk/mistral';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { LeashError } from '../../domain/errors.ts';

/** Providers `LEASH_MODEL` may name. */
export const PROVIDERS = ['openai', 'anthropic', 'mistral', 'openai-compatible', 'ollama'] as const;

/** Which model to use, parsed from the environment. */
export interface ModelChoice {
  provider: (typeof PROVIDERS)[number];
  model: string;
  /** A provider model object, ready for the AI SDK. */
  languageModel: LanguageModel;
}

const KEYS = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', mistral: 'MISTRAL_API_KEY' } as const;

function required(env: NodeJS.ProcessEnv, name: string, provider: string): string {
  const value = env[name];
  if (!value) throw new LeashError('bad_input', `${provider} needs ${name} in the environment`, { field: name });
  return value;
}

/** The model `LEASH_MODEL` names; a missing or malformed setting is a clear error, never a silent default. */
export function chooseModel(env: NodeJS.ProcessEnv = process.env): ModelChoice {
  const setting = env.LEASH_MODEL?.trim();
  if (!setting)
    throw new LeashError(
      'bad_input',
      'the llm planner needs LEASH_MODEL=provider:model (openai:gpt-4.1-mini, anthropic:claude-sonnet-4-5, mistral:mistral-large-latest, ollama:llama3.1, openai-compatible:MODEL with LEASH_MODEL_BASE_URL)',
      { field: 'LEASH_MODEL' },
    );
  const colon = setting.indexOf(':');
  const provider = setting.slice(0, colon) as ModelChoice['provider'];
  const model = setting.slice(colon + 1);
  if (colon < 1 || !model || !PROVIDERS.includes(provider))
    throw new LeashError(
      'bad_input',
      `LEASH_MODEL must be provider:model with provider one of ${PROVIDERS.join(', ')}`,
      {
        field: 'LEASH_MODEL',
      },
    );
  switch (provider) {
    case 'openai':
      return {
        provider,
        model,
        languageModel: createOpenAI({
          apiKey: required(env, KEYS.openai, provider),
          ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
        })(model),
      };
    case 'anthropic':
      return {
        provider,
        model,
        languageModel: createAnthropic({ apiKey: required(env, KEYS.anthropic, provider) })(model),
      };
    case 'mistral':
      return {
        provider,
        model,
        languageModel: createMistral({ apiKey: required(env, KEYS.mistral, provider) })(model),
      };
    default: {
      const baseURL =
        provider === 'ollama'
          ? (env.LEASH_MODEL_BASE_URL ?? 'http://127.0.0.1:11434/v1')
          : required(env, 'LEASH_MODEL_BASE_URL', provider);
      const compatible = createOpenAICompatible({
        name: provider,
        baseURL,
        ...(env.LEASH_MODEL_API_KEY ? { apiKey: env.LEASH_MODEL_API_KEY } : {}),
      });
      return { provider, model, languageModel: compatible.chatModel(model) };
    }
  }
}
