import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Stock of one SKU. Reserving moves units from `available` to `reserved`; the checks keep both
 * non-negative, so concurrent reservations cannot oversell.
 */
@Entity({ name: 'stock_items' })
export class StockItemEntity {
  @PrimaryColumn({ type: 'text' })
  sku!: string;

  @Column({ type: 'integer' })
  available!: number;

  @Column({ type: 'integer', default: 0 })
  reserved!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
