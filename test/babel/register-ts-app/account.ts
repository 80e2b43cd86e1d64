export interface Account { owner: string; balance: number }
export function deposit(account: Account, amount: number): void {
  account.balance = account.balance + amount;
}
