/** Products, prices and coupons. */
import { FakeError, invalidRequest } from '../errors.ts';
import { listPage, where } from '../lists.ts';
import { couponObject, mergedMetadata, priceObject, productObject } from '../objects.ts';
import { type Route, route } from './route.ts';

/** The routes. */
export const catalogRoutes: Route[] = [
  route('GET', '/v1/products', 'rak_product_read', ({ state, params }) =>
    listPage(
      where(state.all('product'), params.active, (product) => product.active),
      params,
      '/v1/products',
    ),
  ),
  route('POST', '/v1/products', 'rak_product_write', ({ state, params }) => {
    const product = state.insert('product', productObject(state, params));
    state.emit('product.created', product);
    return product;
  }),
  route('GET', '/v1/products/{id}', 'rak_product_read', ({ state, path }) =>
    state.require('product', path.id ?? '', 'id'),
  ),
  route('POST', '/v1/products/{id}', 'rak_product_write', ({ state, params, path }) => {
    const product = state.require('product', path.id ?? '');
    state.update('product', product, (target) => {
      if (params.name !== undefined) target.name = params.name;
      if (params.description !== undefined) target.description = params.description || null;
      if (params.active !== undefined) target.active = params.active;
      target.metadata = mergedMetadata(target.metadata, params.metadata);
      target.updated = state.seconds();
    });
    return product;
  }),
  route('GET', '/v1/prices', 'rak_plan_read', ({ state, params }) => {
    let prices = where(state.all('price'), params.product, (price) => price.product);
    prices = where(prices, params.active, (price) => price.active);
    if (params.type) prices = prices.filter((price) => price.type === params.type);
    return listPage(prices, params, '/v1/prices');
  }),
  route('POST', '/v1/prices', 'rak_plan_write', ({ state, params }) => {
    if (!params.product)
      throw new FakeError(
        invalidRequest('Missing required param: product.', { code: 'parameter_missing', param: 'product' }),
      );
    state.require('product', params.product, 'product');
    if (params.billing_scheme === 'tiered' && !params.tiers?.length)
      throw new FakeError(
        invalidRequest('Missing required param: tiers.', { code: 'parameter_missing', param: 'tiers' }),
      );
    const price = state.insert('price', priceObject(state, params));
    state.emit('price.created', price);
    return price;
  }),
  route('GET', '/v1/prices/{price}', 'rak_plan_read', ({ state, path }) =>
    state.require('price', path.price ?? '', 'price'),
  ),
  route('POST', '/v1/prices/{price}', 'rak_plan_write', ({ state, params, path }) => {
    const price = state.require('price', path.price ?? '', 'price');
    state.update('price', price, (target) => {
      if (params.active !== undefined) target.active = params.active;
      if (params.nickname !== undefined) target.nickname = params.nickname || null;
      target.metadata = mergedMetadata(target.metadata, params.metadata);
    });
    return price;
  }),
  route('GET', '/v1/coupons', 'rak_coupon_read', ({ state, params }) =>
    listPage(state.all('coupon'), params, '/v1/coupons'),
  ),
  route('POST', '/v1/coupons', 'rak_coupon_write', ({ state, params }) => {
    if (params.id && state.get('coupon', params.id))
      throw new FakeError(invalidRequest('Coupon already exists.', { code: 'resource_already_exists', param: 'id' }));
    if ((params.percent_off === undefined) === (params.amount_off === undefined))
      throw new FakeError(
        invalidRequest('You must pass exactly one of percent_off or amount_off.', { param: 'percent_off' }),
      );
    if (params.amount_off !== undefined && !params.currency)
      throw new FakeError(
        invalidRequest('You must pass currency when passing amount_off.', {
          code: 'parameter_missing',
          param: 'currency',
        }),
      );
    const coupon = state.insert('coupon', couponObject(state, params));
    state.emit('coupon.created', coupon);
    return coupon;
  }),
  route('GET', '/v1/coupons/{coupon}', 'rak_coupon_read', ({ state, path }) =>
    state.require('coupon', path.coupon ?? '', 'coupon'),
  ),
];
