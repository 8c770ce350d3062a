import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The product catalog orders are priced from, seeded with the demo's SKUs. Inventory seeds the same SKUs
 * with stock levels; each service owns its own copy of what it needs (prices here, units there).
 */
export class SeedCatalog1764400000001 implements MigrationInterface {
  name = 'SeedCatalog1764400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE products (
        sku              text    PRIMARY KEY,
        name             text    NOT NULL,
        unit_price_cents bigint  NOT NULL CONSTRAINT products_price_check CHECK (unit_price_cents >= 0),
        currency         char(3) NOT NULL CONSTRAINT products_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )
    `);
    await queryRunner.query(`
      INSERT INTO products (sku, name, unit_price_cents, currency) VALUES
        ('SKU-RED-MUG',  'Red mug',           1200, 'EUR'),
        ('SKU-BLUE-MUG', 'Blue mug',          1200, 'EUR'),
        ('SKU-TEE-M',    'T-shirt, size M',   2500, 'EUR'),
        ('SKU-TEE-L',    'T-shirt, size L',   2500, 'EUR'),
        ('SKU-POSTER',   'Poster',             900, 'EUR'),
        ('SKU-LIMITED',  'Limited edition',   5000, 'EUR')
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE products');
  }
}
